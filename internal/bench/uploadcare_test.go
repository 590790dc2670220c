package main

// Peak RSS of the Uploadcare example server (examples/uploadcare) while a
// 1 GiB file is POSTed to /upload, next to the guide's buffering pattern in
// the same run. Every server is a child process of its own, so that its
// rusage Maxrss is its own peak; the fake Uploadcare runs in another child
// with -discard (it keeps the size and first bytes of each file only):
//
//	go test -run '^$' -bench 'BenchmarkUploadcareServer1GiB' -benchtime 1x ./internal/bench
//
// BENCH_UPLOADCARE_SIZE (such as 64MiB) changes the file size.

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
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/uploadcare"
)

// envBufferingChild makes the test binary run the buffering baseline
// server instead of its tests (see init).
const envBufferingChild = "BENCH_UPLOADCARE_BUFFERING_CHILD"

func init() {
	if os.Getenv(envBufferingChild) == "1" {
		if err := runBufferingServer(); err != nil {
			fmt.Fprintln(os.Stderr, "buffering server:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
}

// BenchmarkUploadcareServer1GiB posts one file of BENCH_UPLOADCARE_SIZE
// (default 1 GiB) per iteration to a fresh server process and reports
// that process's peak RSS:
//
//   - Streamed/size: examples/uploadcare, the request states the size
//     (the file streams through Uploadcare's multipart API);
//   - Streamed/spooled: examples/uploadcare without the size (copied to a
//     temporary file first, as Uploadcare needs the size);
//   - Buffering: the guide's pattern, io.ReadAll of the file part, then
//     the same provider's upload and one INSERT.
func BenchmarkUploadcareServer1GiB(b *testing.B) {
	size := int64(1 << 30)
	if v := os.Getenv("BENCH_UPLOADCARE_SIZE"); v != "" {
		n, err := parseSize(v)
		if err != nil {
			b.Fatal(err)
		}
		size = n
	}
	dir := b.TempDir()
	exampleBin := goBuild(b, dir, "github.com/mediastore/mediastore/examples/uploadcare")
	fakeBin := goBuild(b, dir, "github.com/mediastore/mediastore/internal/fakes/uploadcarefake/cmd/fakeuploadcare")
	fake := startFake(b, fakeBin)
	dbURL := benchDatabase(b)
	env := append(fake.env,
		"DATABASE_URL="+dbURL,
		"MEDIASTORE_MAX_SIZE="+strconv.FormatInt(2*size, 10),
	)

	for _, sc := range []struct {
		name     string
		bin      []string
		env      []string
		withSize bool
	}{
		{"Streamed/size", []string{exampleBin}, nil, true},
		{"Streamed/spooled", []string{exampleBin}, nil, false},
		{"Buffering", []string{os.Args[0]}, []string{envBufferingChild + "=1"}, true},
	} {
		b.Run(sc.name, func(b *testing.B) {
			b.SetBytes(size)
			var peak int64
			for b.Loop() {
				b.StopTimer()
				srv := startServer(b, sc.bin, append(append(env, sc.env...), "TMPDIR="+b.TempDir()))
				b.StartTimer()
				postFile(b, srv.url, size, sc.withSize)
				b.StopTimer()
				peak = max(peak, srv.stop(b))
				b.StartTimer()
			}
			b.ReportMetric(float64(peak)/1024, "peak-RSS-MiB")
		})
	}
	// A parent of sub-benchmarks prints no metrics of its own.
	b.Logf("the fake Uploadcare (another process) peaked at %.1f MiB", float64(fake.stop(b))/1024)
}

// goBuild builds the main package pkg into dir.
func goBuild(b *testing.B, dir, pkg string) string {
	b.Helper()
	bin := filepath.Join(dir, filepath.Base(pkg))
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		b.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// benchDatabase creates a database of its own on the test PostgreSQL
// server, dropped when the benchmark ends.
func benchDatabase(b *testing.B) string {
	b.Helper()
	ctx := context.Background()
	pool := testdb.Pool(ctx, b)
	var r [8]byte
	_, _ = rand.Read(r[:])
	name := "bench_uploadcare_" + hex.EncodeToString(r[:])
	if _, err := pool.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			b.Error(err)
		}
	})
	u, err := url.Parse(testdb.URL(ctx, b))
	if err != nil {
		b.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// child is a running child process.
type child struct {
	cmd  *exec.Cmd
	url  string
	env  []string
	done chan struct{}
}

// stop ends the child with SIGTERM and returns its peak RSS in KiB.
func (c *child) stop(b *testing.B) int64 {
	b.Helper()
	if c.cmd.ProcessState == nil {
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		<-c.done
		if err := c.cmd.Wait(); err != nil {
			b.Errorf("%s: %v", c.cmd.Path, err)
		}
	}
	return c.cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
}

// start runs cmd and hands each line of its standard output to line until
// line returns true; the rest of the output is discarded.
func start(b *testing.B, cmd *exec.Cmd, line func(string) bool) *child {
	b.Helper()
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	c := &child{cmd: cmd, done: make(chan struct{})}
	sc := bufio.NewScanner(out)
	ready := false
	for !ready && sc.Scan() {
		ready = line(sc.Text())
	}
	go func() {
		_, _ = io.Copy(io.Discard, out)
		close(c.done)
	}()
	b.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			c.stop(b)
		}
	})
	if !ready {
		c.stop(b)
		b.Fatalf("%s did not start", cmd.Path)
	}
	return c
}

// startFake runs the fake Uploadcare with -discard on ports of its own
// and reads the variables it prints.
func startFake(b *testing.B, bin string) *child {
	b.Helper()
	cmd := exec.Command(bin, "-discard", "-upload-addr=", "-api-addr=", "-cdn-addr=")
	var env []string
	c := start(b, cmd, func(l string) bool {
		if kv, ok := strings.CutPrefix(l, "export "); ok {
			env = append(env, kv)
		}
		return len(env) == 5
	})
	c.env = env
	return c
}

// startServer runs a server (the example or the buffering baseline) with
// PORT=0 and waits for its "listening on" line.
func startServer(b *testing.B, argv, env []string) *child {
	b.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "PORT=0"}, env...)
	port := ""
	c := start(b, cmd, func(l string) bool {
		port, _ = strings.CutPrefix(l, "listening on http://localhost:")
		return port != "" && port != l
	})
	c.url = "http://127.0.0.1:" + port
	return c
}

// postFile posts the guide's form (fileName, size when withSize, file) with
// a generated file of size bytes, written through a pipe as it is sent.
func postFile(b *testing.B, base string, size int64, withSize bool) {
	b.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := mw.WriteField("fileName", "big.png")
		if err == nil && withSize {
			err = mw.WriteField("size", strconv.FormatInt(size, 10))
		}
		var fw io.Writer
		if err == nil {
			fw, err = mw.CreateFormFile("file", "big.png")
		}
		if err == nil {
			_, err = io.Copy(fw, newStream(size))
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest(http.MethodPost, base+"/upload", pr)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Success bool `json:"success"`
		File    struct {
			Size int64 `json:"size"`
		} `json:"file"`
		Error string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || !out.Success || out.File.Size != size {
		b.Fatalf("POST /upload: %d %+v %v", resp.StatusCode, out, err)
	}
}

// runBufferingServer is the guide's handler in Go: it reads the whole file
// part into memory (the guide's Buffer.from(await file.arrayBuffer())),
// uploads it with the same provider (Put, then store) and INSERTs a row.
// It serves on 127.0.0.1:PORT until SIGTERM.
func runBufferingServer() error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	cfg, err := uploadcare.ConfigFromEnv()
	if err != nil {
		return err
	}
	cfg.CDNBaseURL = cmpOr(os.Getenv(uploadcare.EnvCDNBaseURL), uploadcare.LegacyCDNBaseURL)
	p, err := uploadcare.New(cfg)
	if err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		return err
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS guide_files
		(id bigserial PRIMARY KEY, user_id text, file_name text, file_url text, size bigint, created_at timestamptz DEFAULT now())`); err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /upload", func(w http.ResponseWriter, r *http.Request) {
		fail := func(status int, err error) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(map[string]any{"success": false, "error": err.Error()})
		}
		mr, err := r.MultipartReader()
		if err != nil {
			fail(http.StatusBadRequest, err)
			return
		}
		name := "file"
		var data []byte
		for data == nil {
			part, err := mr.NextPart()
			if err != nil {
				fail(http.StatusBadRequest, err)
				return
			}
			switch part.FormName() {
			case "fileName":
				v, _ := io.ReadAll(io.LimitReader(part, 1024))
				name = string(v)
			case "file":
				if data, err = io.ReadAll(part); err != nil {
					fail(http.StatusBadRequest, err)
					return
				}
			}
		}
		obj, err := p.Put(r.Context(), "guide/"+name, bytes.NewReader(data), &mediastore.PutOptions{
			Size: int64(len(data)), ContentType: http.DetectContentType(data), Filename: name,
		})
		if err == nil {
			err = p.Commit(r.Context(), obj.Key)
		}
		if err != nil {
			fail(http.StatusBadGateway, err)
			return
		}
		fileURL := p.CDNURL(obj.Key, uploadcare.Ops{}, "")
		if _, err := pool.Exec(r.Context(), `INSERT INTO guide_files (user_id, file_name, file_url, size) VALUES ($1, $2, $3, $4)`,
			"user_123", name, fileURL, len(data)); err != nil {
			fail(http.StatusInternalServerError, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"success": true, "fileUrl": fileURL,
			"file": map[string]any{"key": obj.Key, "size": len(data)}})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:"+cmpOr(os.Getenv("PORT"), "3000"))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("listening on http://localhost:%d\n", ln.Addr().(*net.TCPAddr).Port)
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
