package examplerun

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/goleak"

	"github.com/mediastore/mediastore/internal/testdb"
)

var builds struct {
	mu   sync.Mutex
	dir  string
	bins map[string]string
	errs map[string]error
}

// Main runs the tests, removes the binaries Build made, stops the test
// database and checks for leaked goroutines, then exits.
func Main(m *testing.M) {
	code := m.Run()
	builds.mu.Lock()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
	}
	builds.mu.Unlock()
	if err := testdb.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "testdb:", err)
		code = 1
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak: goroutines leaked:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// Build compiles the main package pkg (a path for go build, such as "." or
// "./examples/uploadcare") once per test process and returns the binary.
func Build(tb testing.TB, pkg string) string {
	tb.Helper()
	builds.mu.Lock()
	defer builds.mu.Unlock()
	if builds.bins == nil {
		builds.bins, builds.errs = map[string]string{}, map[string]error{}
	}
	if bin, ok := builds.bins[pkg]; ok {
		return bin
	}
	if err, ok := builds.errs[pkg]; ok {
		tb.Fatal(err)
	}
	if builds.dir == "" {
		dir, err := os.MkdirTemp("", "examplerun-")
		if err != nil {
			tb.Fatal(err)
		}
		builds.dir = dir
	}
	bin := filepath.Join(builds.dir, fmt.Sprintf("example%d", len(builds.bins)))
	out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput()
	if err != nil {
		builds.errs[pkg] = fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		tb.Fatal(builds.errs[pkg])
	}
	builds.bins[pkg] = bin
	return bin
}

// Database creates an empty database on the test PostgreSQL server and
// returns its URL; it is dropped when the test ends (after the servers
// started later are stopped).
func Database(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	pool := testdb.Pool(ctx, tb)
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := "example_" + hex.EncodeToString(b[:])
	if _, err := pool.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(testdb.URL(ctx, tb))
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Rows counts the rows of the files table in the database at dbURL with
// the given status ("" for any).
func Rows(tb testing.TB, dbURL, status string) int {
	tb.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer pool.Close()
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM public.mediastore_files WHERE $1 = '' OR status = $1`, status).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// baseEnv is the environment every child gets before the test's own.
func baseEnv(tmp string) []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + tmp}
}

// Run runs bin with env to its exit and returns its exit status and
// outputs.
func Run(tb testing.TB, bin string, env []string) (code int, stdout, stderr string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(baseEnv(tb.TempDir()), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		tb.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

// Server is a running example.
type Server struct {
	// URL is the server's base URL, http://127.0.0.1:PORT.
	URL string
	// TempDir is the child's TMPDIR.
	TempDir string

	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{}
}

// syncBuffer is a bytes.Buffer safe for the writer goroutine of exec.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Start runs bin with env and PORT=0, waits until it logs "listening on
// http://localhost:PORT" and returns it. It is stopped with SIGTERM when
// the test ends; its standard error is logged when the test failed.
func Start(tb testing.TB, bin string, env []string) *Server {
	tb.Helper()
	s := &Server{TempDir: tb.TempDir(), stderr: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(bin)
	s.cmd.Env = append(append(baseEnv(s.TempDir), env...), "PORT=0")
	s.cmd.Stderr = s.stderr
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	port := ""
	for lines.Scan() {
		if p, ok := strings.CutPrefix(lines.Text(), "listening on http://localhost:"); ok {
			port = p
			break
		}
	}
	go func() {
		_, _ = io.Copy(io.Discard, stdout)
		close(s.done)
	}()
	tb.Cleanup(func() {
		s.Stop(tb)
		if tb.Failed() {
			tb.Logf("server log:\n%s", s.stderr.String())
		}
	})
	if port == "" {
		s.Stop(tb)
		tb.Fatalf("the server did not start: %s", s.stderr.String())
	}
	s.URL = "http://127.0.0.1:" + port
	return s
}

// Stop sends SIGTERM and waits for the server to exit (once).
func (s *Server) Stop(tb testing.TB) {
	tb.Helper()
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	<-s.done
	_ = s.cmd.Wait()
}

// ProcessState is the exited server's state (nil while it runs): its exit
// status and rusage.
func (s *Server) ProcessState() *os.ProcessState { return s.cmd.ProcessState }

// Log returns what the server wrote to standard error so far.
func (s *Server) Log() string { return s.stderr.String() }

// Do sends a request to the server as user (the X-User-ID header; "" sends
// none) with body of the given content type, and returns the status and
// the decoded JSON answer (nil when the body is not a JSON object).
func (s *Server) Do(tb testing.TB, method, path, user string, body io.Reader, contentType string) (int, map[string]any) {
	tb.Helper()
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		tb.Fatal(err)
	}
	if user != "" {
		req.Header.Set("X-User-ID", user)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return Send(tb, req)
}

// JSON sends v as a JSON body (see [Server.Do]).
func (s *Server) JSON(tb testing.TB, method, path, user string, v any) (int, map[string]any) {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return s.Do(tb, method, path, user, bytes.NewReader(b), "application/json")
}

// Send sends req and returns its status and decoded JSON object.
func Send(tb testing.TB, req *http.Request) (int, map[string]any) {
	tb.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	var out map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if d.Decode(&out) != nil {
		out = nil
	}
	return resp.StatusCode, out
}

// Get fetches u and returns the status and the body.
func Get(tb testing.TB, u string) (int, []byte) {
	tb.Helper()
	resp, err := http.Get(u)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, b
}

// Form is a multipart/form-data body: fields in order, then the file part.
func Form(fields [][2]string, fileField, fileName, fileType string, data []byte) (io.Reader, string) {
	var buf bytes.Buffer
	mw := newMultipart(&buf)
	for _, f := range fields {
		_ = mw.WriteField(f[0], f[1])
	}
	if fileField != "" {
		w, _ := mw.createFile(fileField, fileName, fileType)
		_, _ = w.Write(data)
	}
	_ = mw.Close()
	return &buf, mw.FormDataContentType()
}
