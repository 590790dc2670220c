package tests3

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// versitygwVersion is the pinned version of the local server.
const versitygwVersion = "v1.8.0"

// startTimeout bounds the wait for a started server to answer.
const startTimeout = 30 * time.Second

// process is a running versitygw.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	dir  string        // removed by stop
	log  string
}

func (p *process) stop() {
	p.cmd.Process.Kill()
	<-p.done
	os.RemoveAll(p.dir)
}

// logTail returns the last lines of the server's output.
func (p *process) logTail() string {
	b, _ := os.ReadFile(p.log)
	return tail(b)
}

func tail(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 600 {
		b = b[len(b)-600:]
	}
	return string(b)
}

func startLocal(ctx context.Context, tb testing.TB, k kind) (*Server, error) {
	tb.Helper()
	bin, err := binary(ctx, tb)
	if err != nil {
		return nil, err
	}
	var lastErr error
	for range 3 { // a port taken between probe and bind is retried
		srv, retry, err := launch(ctx, bin, k)
		if err == nil {
			return srv, nil
		}
		lastErr = err
		if !retry {
			break
		}
	}
	return nil, lastErr
}

// launch starts one versitygw on a free port of 127.0.0.1 and waits until it
// answers. retry reports whether another port may work.
func launch(ctx context.Context, bin string, k kind) (srv *Server, retry bool, err error) {
	dir, err := os.MkdirTemp("", "mediastore-tests3-*")
	if err != nil {
		return nil, false, err
	}
	defer func() {
		if err != nil && srv == nil {
			os.RemoveAll(dir)
		}
	}()
	root := filepath.Join(dir, "data")
	if err := os.Mkdir(root, 0o700); err != nil {
		return nil, false, err
	}
	port, err := freePort()
	if err != nil {
		return nil, false, err
	}
	const health = "/mediastore-health"
	addr := "127.0.0.1:" + strconv.Itoa(port)
	args := []string{"--port", addr, "--region", k.region, "--health", health, "--quiet", "--keep-alive"}
	scheme := "http"
	var roots *x509.CertPool
	if k.tls {
		certFile, keyFile, pool, err := writeCert(dir)
		if err != nil {
			return nil, false, err
		}
		args = append(args, "--cert", certFile, "--key", keyFile)
		scheme, roots = "https", pool
	}
	args = append(args, "posix", root)

	access, secret := "MSTEST"+strings.ToUpper(randomHex(7)), randomHex(20)
	logPath := filepath.Join(dir, "versitygw.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, false, err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Credentials go in the environment, not in the arguments that ps shows.
	cmd.Env = append(cleanEnv(os.Environ(), "VGW_", "ROOT_"),
		"ROOT_ACCESS_KEY_ID="+access, "ROOT_SECRET_ACCESS_KEY="+secret)
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		return nil, false, fmt.Errorf("start versitygw: %w", err)
	}
	p := &process{cmd: cmd, done: make(chan struct{}), dir: dir, log: logPath}
	go func() {
		cmd.Wait()
		close(p.done)
	}()
	srv = newServer(scheme+"://"+addr, access, secret, k.region, roots, p)
	if err := waitReady(ctx, p, srv.client, srv.Endpoint+health); err != nil {
		srv.client.CloseIdleConnections()
		p.stop()
		out := p.logTail()
		return nil, strings.Contains(out, "address already in use"), fmt.Errorf("versitygw: %w: %s", err, out)
	}
	return srv, false, nil
}

// waitReady polls the health endpoint until it answers 200, the process
// exits, ctx ends or startTimeout passes.
func waitReady(ctx context.Context, p *process, client *http.Client, url string) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.done:
			return errors.New("exited at start")
		case <-ctx.Done():
			return fmt.Errorf("not ready: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// cleanEnv drops the variables with the given prefixes.
func cleanEnv(env []string, prefixes ...string) []string {
	var out []string
next:
	for _, kv := range env {
		for _, p := range prefixes {
			if strings.HasPrefix(kv, p) {
				continue next
			}
		}
		out = append(out, kv)
	}
	return out
}

var buildMu sync.Mutex

// binary returns the path of the cached versitygw, building it first when
// it is missing.
func binary(ctx context.Context, tb testing.TB) (string, error) {
	tb.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	dir, err := cacheDir()
	if err != nil {
		return "", err
	}
	exe := "versitygw"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	bin := filepath.Join(dir, exe)
	if isFile(bin) {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	unlock, err := lockFile(filepath.Join(dir, ".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if isFile(bin) { // another process built it while we waited
		return bin, nil
	}
	tb.Logf("tests3: building versitygw %s into %s (once; takes a few minutes)", versitygwVersion, dir)
	tmp, err := os.MkdirTemp(dir, "build-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	goCmd := "go"
	if p, err := exec.LookPath("go"); err == nil {
		goCmd = p
	} else if root := runtime.GOROOT(); root != "" {
		goCmd = filepath.Join(root, "bin", "go")
	}
	cmd := exec.CommandContext(ctx, goCmd, "install", "github.com/versity/versitygw/cmd/versitygw@"+versitygwVersion)
	cmd.Dir = tmp // outside any module
	cmd.Env = append(cleanEnv(os.Environ(), "GOBIN=", "GOFLAGS="), "GOBIN="+tmp, "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build versitygw %s: %w: %s", versitygwVersion, err, tail(out))
	}
	// The rename is atomic: no process ever runs a half-written binary.
	if err := os.Rename(filepath.Join(tmp, exe), bin); err != nil {
		return "", err
	}
	return bin, nil
}

func cacheDir() (string, error) {
	base := os.Getenv("MEDIASTORE_CACHE_DIR")
	if base == "" {
		d, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("no cache folder for versitygw (set MEDIASTORE_CACHE_DIR): %w", err)
		}
		base = filepath.Join(d, "mediastore")
	}
	return filepath.Join(base, "versitygw-"+versitygwVersion), nil
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
