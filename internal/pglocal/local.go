package pglocal

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// dirPrefix starts the name of every cluster folder; the starting
// process's pid follows it, so a later Start can tell stale folders.
const dirPrefix = "mediastore-pg-"

// startLocal runs a cluster of its own from the local binaries.
func startLocal(ctx context.Context, o *Options) (*Server, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	cred, err := runAs(o.User)
	if err != nil {
		return nil, err
	}
	base := cmp.Or(o.Dir, os.TempDir())
	removeStale(base)
	dir, err := os.MkdirTemp(base, dirPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return nil, fmt.Errorf("mediastore: pglocal: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(dir)
		}
	}()
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("mediastore: pglocal: %w", err)
		}
		if err := reachable(dir, o.User); err != nil {
			return nil, err
		}
	}

	data := filepath.Join(dir, "data")
	initLog := filepath.Join(dir, "initdb.log")
	if err := run(ctx, cred, dir, initLog, filepath.Join(bin, "initdb"), "-D", data, "--auth=trust",
		"-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C", "--no-instructions"); err != nil {
		return nil, fmt.Errorf("mediastore: pglocal: initdb in %s: %w: %s", bin, err, lastLine(initLog))
	}

	logPath := filepath.Join(dir, "postgres.log")
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, fmt.Errorf("mediastore: pglocal: %w", err)
		}
		p, err := spawn(cred, dir, logPath, filepath.Join(bin, "postgres"),
			"-D", data, "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-k", dir,
			"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
			"-c", "max_connections=300", "-c", "shared_buffers=64MB")
		if err != nil {
			return nil, fmt.Errorf("mediastore: pglocal: postgres in %s: %w", bin, err)
		}
		url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
		err = waitReady(ctx, url, p)
		if err == nil {
			ok = true
			return &Server{How: HowInitdb, url: url, stop: func() error {
				p.stop()
				return os.RemoveAll(dir)
			}}, nil
		}
		p.stop()
		last := lastLine(logPath)
		// Another process may have taken the free port first: try another.
		if attempt < 3 && strings.Contains(last, "could not bind") {
			continue
		}
		return nil, fmt.Errorf("mediastore: pglocal: postgres in %s: %w: %s", bin, err, last)
	}
}

// debianBins is where Debian's PostgreSQL packages put their binaries.
var debianBins = "/usr/lib/postgresql/*/bin"

// findBinaries returns the folder holding both initdb and postgres: the one
// on PATH, else the newest /usr/lib/postgresql/*/bin.
func findBinaries() (string, error) {
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
		if rp, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(rp))
		}
	}
	debian, _ := filepath.Glob(debianBins)
	slices.SortFunc(debian, func(a, b string) int { return cmp.Compare(version(b), version(a)) })
	for _, d := range append(dirs, debian...) {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w: initdb and postgres are not on PATH or in /usr/lib/postgresql/*/bin", ErrUnavailable)
}

// version is the major version in /usr/lib/postgresql/VERSION/bin.
func version(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func isExec(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// runAs returns the credential to run the binaries with: nil unless this
// process is root, which initdb and postgres refuse.
func runAs(name string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("%w: this process is root, which initdb and postgres refuse, and there is no user %q to run them as", ErrUnavailable, name)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("mediastore: pglocal: user %q has a non-numeric uid or gid", name)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// reachable checks that every folder above dir lets others through, so
// that the unprivileged user can reach its cluster.
func reachable(dir, name string) error {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("mediastore: pglocal: %w", err)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("mediastore: pglocal: user %q cannot reach %s (set TMPDIR to a folder it can reach)", name, d)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

// command prepares a binary run as cred in dir with its output in logPath.
func command(cred *syscall.Credential, dir, logPath, path string, args ...string) (*exec.Cmd, *os.File, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	return cmd, logf, nil
}

// run runs a short-lived binary to completion.
func run(ctx context.Context, cred *syscall.Credential, dir, logPath, path string, args ...string) error {
	cmd, logf, err := command(cred, dir, logPath, path, args...)
	if err != nil {
		return err
	}
	defer logf.Close()
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-done
		return ctx.Err()
	}
}

// proc is a running server process.
type proc struct {
	cmd  *exec.Cmd
	logf *os.File
	done chan struct{} // closed when the process has exited
}

// spawn starts the server so that it dies with this process: the kernel
// sends the parent-death signal when the creating OS thread exits, so the
// process is started from a goroutine locked to its thread that stays
// alive, in Wait, for the whole life of the server.
func spawn(cred *syscall.Credential, dir, logPath, path string, args ...string) (*proc, error) {
	cmd, logf, err := command(cred, dir, logPath, path, args...)
	if err != nil {
		return nil, err
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT // immediate shutdown
	p := &proc{cmd: cmd, logf: logf, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		defer close(p.done)
		// Never unlocked: the thread ends with this goroutine, after
		// the server.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = cmd.Wait()
	}()
	if err := <-started; err != nil {
		logf.Close()
		return nil, err
	}
	return p, nil
}

// stop shuts the server down (fast mode, then a kill) and waits for it.
func (p *proc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	t := time.NewTimer(15 * time.Second)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	p.logf.Close()
}

// waitReady connects until the server answers, it exits, or ctx ends.
func waitReady(ctx context.Context, url string, p *proc) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
		conn, err := pgx.Connect(cctx, url)
		ccancel()
		if err == nil {
			return conn.Close(ctx)
		}
		t := time.NewTimer(25 * time.Millisecond)
		select {
		case <-p.done:
			t.Stop()
			return errors.New("server exited")
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("server did not accept connections: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lastLine returns the last non-empty line of a log file, or "".
func lastLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	return string(bytes.TrimSpace(lines[len(lines)-1]))
}

// removeStale removes the cluster folders under base whose starting
// process is gone, stopping a server still running in one (which the
// parent-death signal should already have done).
func removeStale(base string) {
	dirs, _ := filepath.Glob(filepath.Join(base, dirPrefix+"*"))
	for _, dir := range dirs {
		owner, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(dir), dirPrefix), "-")
		pid, err := strconv.Atoi(owner)
		if err != nil || pid == os.Getpid() || alive(pid) {
			continue
		}
		if pm := postmasterPID(filepath.Join(dir, "data", "postmaster.pid")); pm > 0 && alive(pm) && runsIn(pm, dir) {
			_ = syscall.Kill(pm, syscall.SIGQUIT)
		}
		_ = os.RemoveAll(dir)
	}
}

// alive reports whether a process with pid exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// postmasterPID reads the pid from the first line of postmaster.pid.
func postmasterPID(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(sc.Text()))
	return pid
}

// runsIn reports whether process pid's command line names dir, so that a
// reused pid is never signalled.
func runsIn(pid int, dir string) bool {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	return err == nil && bytes.Contains(b, []byte(dir))
}
