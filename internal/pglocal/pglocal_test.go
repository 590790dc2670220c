package pglocal

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv("PGLOCAL_TEST_HELPER_DIR"); dir != "" {
		helper(dir)
		return
	}
	goleak.VerifyTestMain(m)
}

// helper starts a server, prints its URL and waits to be killed.
func helper(dir string) {
	s, err := Start(context.Background(), &Options{How: HowInitdb, Dir: dir})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println(s.URL())
	_, _ = io.Copy(io.Discard, os.Stdin) // until killed
	_ = s.Close()
}

// TestServerDiesWithParent kills a process that started a server and
// checks that the server goes down with it, and that the next Start
// removes its folder.
func TestServerDiesWithParent(t *testing.T) {
	requireBinaries(t)
	ctx := context.Background()
	base, err := os.MkdirTemp("", "pglocal-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PGLOCAL_TEST_HELPER_DIR="+base)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url := strings.TrimSpace(line)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("helper said %q: %v", url, err)
	}
	defer conn.Close(ctx)

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	// The query ends when the server goes down; were the server to
	// outlive its parent, it would run for a minute and time out.
	qctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = conn.Exec(qctx, "select pg_sleep(60)")
	if err == nil || qctx.Err() != nil {
		t.Fatalf("server outlived its parent: %v", err)
	}

	dirs, _ := filepath.Glob(filepath.Join(base, dirPrefix+"*"))
	if len(dirs) != 1 {
		t.Fatalf("folders = %v, want the dead helper's", dirs)
	}
	removeStale(base)
	if dirs, _ := filepath.Glob(filepath.Join(base, dirPrefix+"*")); len(dirs) != 0 {
		t.Fatalf("folders = %v after removeStale, want none", dirs)
	}
}

// requireBinaries skips (fails on CI) when no local binaries exist.
func requireBinaries(t *testing.T) {
	t.Helper()
	if _, err := findBinaries(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}

func TestStartInitdb(t *testing.T) {
	requireBinaries(t)
	ctx := context.Background()
	// Not t.TempDir: its parent folder is private, and the server may run
	// as another user.
	base, err := os.MkdirTemp("", "pglocal-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}

	// A folder left by a process that is gone must be removed by Start.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(base, dirPrefix+strconv.Itoa(dead.Process.Pid)+"-123")
	if err := os.MkdirAll(filepath.Join(stale, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	// A folder of this (live) process must stay.
	mine := filepath.Join(base, dirPrefix+strconv.Itoa(os.Getpid())+"-456")
	if err := os.Mkdir(mine, 0o700); err != nil {
		t.Fatal(err)
	}

	s, err := Start(ctx, &Options{How: HowInitdb, Dir: base})
	if err != nil {
		t.Fatal(err)
	}
	if s.How != HowInitdb {
		t.Errorf("How = %q, want %q", s.How, HowInitdb)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale folder %s still there (err %v)", stale, err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("live process's folder removed: %v", err)
	}

	conn, err := pgx.Connect(ctx, s.URL())
	if err != nil {
		t.Fatal(err)
	}
	var fsync, maxConns string
	if err := conn.QueryRow(ctx, "select current_setting('fsync'), current_setting('max_connections')").Scan(&fsync, &maxConns); err != nil {
		t.Fatal(err)
	}
	if fsync != "off" || maxConns != "300" {
		t.Errorf("fsync=%s max_connections=%s, want off and 300", fsync, maxConns)
	}
	if err := conn.Close(ctx); err != nil {
		t.Fatal(err)
	}

	dirs, _ := filepath.Glob(filepath.Join(base, dirPrefix+strconv.Itoa(os.Getpid())+"-*"))
	if len(dirs) != 2 {
		t.Fatalf("cluster folders = %v, want mine and the server's", dirs)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	dirs, _ = filepath.Glob(filepath.Join(base, dirPrefix+"*"))
	if len(dirs) != 1 || dirs[0] != mine {
		t.Errorf("after Close folders = %v, want only %s", dirs, mine)
	}
	if _, err := pgx.Connect(ctx, s.URL()); err == nil {
		t.Error("server still answers after Close")
	}
}

func TestNoDocker(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "missing.sock"))
	_, err := Start(context.Background(), &Options{How: HowTestcontainers})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Start = %v, want ErrUnavailable", err)
	}
}

func TestNoBinaries(t *testing.T) {
	old := debianBins
	debianBins = filepath.Join(t.TempDir(), "*", "bin")
	t.Cleanup(func() { debianBins = old })
	t.Setenv("PATH", t.TempDir())
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "missing.sock"))
	_, err := Start(context.Background(), nil)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Start = %v, want ErrUnavailable", err)
	}
	t.Log(err)
}

func TestBadHow(t *testing.T) {
	_, err := Start(context.Background(), &Options{How: "magic"})
	if err == nil || errors.Is(err, ErrUnavailable) {
		t.Fatalf("Start = %v, want an error that is not ErrUnavailable", err)
	}
}
