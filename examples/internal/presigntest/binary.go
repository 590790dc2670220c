package presigntest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/internal/tests3"
)

// build compiles the example's main package (the test's working directory)
// and returns the binary's path.
func build(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the example: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "example")
	cmd := exec.Command(gobin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// exitLine runs the binary with env only and wants exit status 2 with one
// line on standard error, which it returns.
func exitLine(t *testing.T, bin string, env []string) string {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v, want status 2; stderr: %s", err, stderr.String())
	}
	line := stderr.String()
	if !strings.HasSuffix(line, "\n") || strings.Count(line, "\n") != 1 || stdout.Len() != 0 {
		t.Fatalf("stderr %q, stdout %q: want one line on stderr only", line, stdout.String())
	}
	if strings.Contains(line, "panic") || strings.Contains(line, "goroutine") {
		t.Fatalf("stderr shows a panic: %q", line)
	}
	return strings.TrimSpace(line)
}

// wantNames checks that line names each of names and none of others, as
// whole words (B2_APPLICATION_KEY is not in B2_APPLICATION_KEY_ID).
func wantNames(t *testing.T, line string, names, others []string) {
	t.Helper()
	has := func(n string) bool { return regexp.MustCompile(`\b` + regexp.QuoteMeta(n) + `\b`).MatchString(line) }
	for _, n := range names {
		if !has(n) {
			t.Errorf("%q does not name %s", line, n)
		}
	}
	for _, n := range others {
		if has(n) {
			t.Errorf("%q names %s, which is set", line, n)
		}
	}
}

// without returns env without the variable name.
func without(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// freshDatabase creates an empty database on the test server, dropped when
// the test ends, and returns its URL.
func freshDatabase(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	pool := testdb.Pool(ctx, t)
	name := "example_" + strings.ToLower(rand.Text())
	if _, err := pool.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database: %v", err)
		}
	})
	u, err := url.Parse(testdb.URL(ctx, t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// testBinary runs the example's binary as a user would.
func testBinary(t *testing.T, ex *Example) {
	bin := build(t)
	ctx := context.Background()
	srv := tests3.Start(ctx, t, &tests3.Options{Region: ex.Region})
	set := Settings{Endpoint: srv.Endpoint, Region: srv.Region, AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey, Bucket: srv.NewBucket(ctx, t), HTTPClient: srv.HTTPClient()}
	provider := ex.Env(set)
	const unreachable = "postgres://mediastore:s3cret-pass@127.0.0.1:1/none?sslmode=disable&connect_timeout=5"
	withDB := append([]string{"DATABASE_URL=" + unreachable}, provider...)

	t.Run("NothingSet", func(t *testing.T) {
		line := exitLine(t, bin, nil)
		wantNames(t, line, append(append([]string{"DATABASE_URL"}, ex.Required...), ex.RequiredWithoutEndpoint...), nil)
	})
	t.Run("DatabaseURLMissing", func(t *testing.T) {
		line := exitLine(t, bin, provider)
		wantNames(t, line, []string{"DATABASE_URL"}, ex.Required)
	})
	t.Run("ProviderVariableMissing", func(t *testing.T) {
		for _, name := range ex.Required {
			line := exitLine(t, bin, without(withDB, name))
			others := slicesWithout(ex.Required, name)
			wantNames(t, line, []string{name}, append(others, "DATABASE_URL"))
		}
		if ex.EndpointVar != "" {
			line := exitLine(t, bin, without(withDB, ex.EndpointVar))
			wantNames(t, line, ex.RequiredWithoutEndpoint, append(ex.Required, "DATABASE_URL"))
		}
	})
	t.Run("Malformed", func(t *testing.T) {
		common := []string{"S3_FORCE_PATH_STYLE=maybe", "MEDIASTORE_MAX_SIZE=lots", "MEDIASTORE_MAX_SIZE=-5", "PORT=http"}
		for _, kv := range append(common, ex.Malformed...) {
			name := kv[:strings.Index(kv, "=")]
			line := exitLine(t, bin, append(without(withDB, name), kv))
			wantNames(t, line, []string{name}, nil)
		}
	})
	t.Run("DatabaseUnreachable", func(t *testing.T) {
		for _, u := range []string{unreachable, "not a database url"} {
			line := exitLine(t, bin, append(without(withDB, "DATABASE_URL"), "DATABASE_URL="+u))
			wantNames(t, line, []string{"DATABASE_URL"}, []string{"s3cret-pass", srv.SecretKey})
		}
	})
	t.Run("Serves", func(t *testing.T) {
		env := append([]string{
			"DATABASE_URL=" + freshDatabase(t), "PORT=0",
			"MEDIASTORE_MAX_SIZE=1048576", "MEDIASTORE_ALLOWED_TYPES=image/*, text/plain",
		}, provider...)
		base := start(t, bin, env)
		testServes(t, ex, &client{base: base, hc: &http.Client{}}, set)
	})
}

func slicesWithout(s []string, v string) []string {
	var out []string
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

// lineWriter keeps what is written and sends the first line on first.
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	first chan string
	sent  bool
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.sent {
		if line, _, ok := strings.Cut(w.buf.String(), "\n"); ok {
			w.sent = true
			w.first <- line
		}
	}
	return len(p), nil
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

var listening = regexp.MustCompile(`^listening on http://localhost:(\d+)$`)

// start runs the binary with env until the test ends (SIGTERM, then it
// must exit with status 0) and returns its base URL on 127.0.0.1.
func start(t *testing.T, bin string, env []string) string {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = env
	stdout := &lineWriter{first: make(chan string, 1)}
	var stderr syncBuffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var line string
	select {
	case line = <-stdout.first:
	case err := <-done:
		t.Fatalf("the example exited before listening: %v\n%s", err, stderr.String())
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		if err := <-done; err != nil {
			t.Errorf("after SIGTERM: %v, want exit status 0\n%s", err, stderr.String())
		}
		if strings.Contains(stderr.String(), "panic") {
			t.Errorf("the log shows a panic:\n%s", stderr.String())
		}
	})
	m := listening.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first line %q, want \"listening on http://localhost:PORT\"", line)
	}
	return "http://127.0.0.1:" + m[1]
}

// testServes drives a running binary through the contract with its
// defaults: no X-User-ID (user_123), limits from the environment.
func testServes(t *testing.T, ex *Example, c *client, set Settings) {
	s3c := set.HTTPClient
	data := pngBytes(t, 20, 20)
	p := c.presign(t, ex, "", "photo.png", "image/png")
	if !strings.HasPrefix(p.PresignedURL, set.Endpoint+"/"+set.Bucket+"/") || p.PublicFileURL != "" {
		t.Fatalf("presign = %+v, want a path-style URL on %s and no public URL", p, set.Endpoint)
	}
	if st, body := put(t, s3c, p.PresignedURL, "image/png", data); st != http.StatusOK {
		t.Fatalf("PUT: %d %s", st, body)
	}
	st, body := c.save(t, ex, "", p.ObjectKey, "https://attacker.example/x.png")
	f := wantOK[fileResp](t, st, body).File
	if f.UserID != "user_123" || f.Provider != ex.Name || f.Size != int64(len(data)) || strings.Contains(f.URL, "attacker") {
		t.Fatalf("saved %+v", f)
	}

	// The limits come from the environment: a PDF sent as image/png, a
	// file above MEDIASTORE_MAX_SIZE.
	pdf := c.presign(t, ex, "", "fake.png", "image/png")
	if st, body := put(t, s3c, pdf.PresignedURL, "image/png", pdfBytes); st != http.StatusOK {
		t.Fatalf("PUT: %d %s", st, body)
	}
	st, body = c.save(t, ex, "", pdf.ObjectKey, "")
	wantError(t, st, body, http.StatusUnsupportedMediaType)
	st, body = c.post(t, ex.PresignPath, "", map[string]any{"fileName": "big.png", "contentType": "image/png", "size": 1048577})
	wantError(t, st, body, http.StatusRequestEntityTooLarge)
	st, body = c.post(t, ex.PresignPath, "", map[string]any{"fileName": "notes.txt", "contentType": "text/plain"})
	wantOK[presignJSON](t, st, body)

	// Server-side upload.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("fileName", "notes.txt")
	fw, _ := mw.CreateFormFile("file", "notes.txt")
	fmt.Fprint(fw, "hello from the server-side upload\n")
	mw.Close()
	st, body = c.do(t, http.MethodPost, "/upload", "", mw.FormDataContentType(), &buf)
	up := wantOK[uploadResp](t, st, body)
	if !strings.HasPrefix(up.File.ContentType, "text/plain") || up.FileURL == "" {
		t.Fatalf("upload = %s", body)
	}

	// List, signed URL, download, delete, delete again.
	st, body = c.do(t, http.MethodGet, "/files?limit=1", "", "", nil)
	l := wantOK[listResp](t, st, body)
	if len(l.Files) != 1 || l.Files[0].ID != up.File.ID || l.NextCursor == "" {
		t.Fatalf("first page = %s, want the newest file and a next_cursor", body)
	}
	st, body = c.do(t, http.MethodGet, "/files?limit=1&cursor="+url.QueryEscape(l.NextCursor), "", "", nil)
	l = wantOK[listResp](t, st, body)
	if len(l.Files) != 1 || l.Files[0].ID != f.ID || l.NextCursor != "" {
		t.Fatalf("second page = %s, want the first file and no next_cursor", body)
	}
	st, body = c.do(t, http.MethodGet, "/files/"+f.ID+"/url", "", "", nil)
	st, got := get(t, s3c, wantOK[urlResp](t, st, body).URL)
	if st != http.StatusOK || !bytes.Equal(got, data) {
		t.Fatalf("download: status %d, %d bytes", st, len(got))
	}
	for _, id := range []string{f.ID, up.File.ID} {
		st, body = c.do(t, http.MethodDelete, "/files/"+id, "", "", nil)
		wantOK[struct{}](t, st, body)
		st, body = c.do(t, http.MethodDelete, "/files/"+id, "", "", nil)
		wantError(t, st, body, http.StatusNotFound)
	}
	st, body = c.do(t, http.MethodGet, "/files", "", "", nil)
	if l := wantOK[listResp](t, st, body); len(l.Files) != 0 {
		t.Fatalf("after deletes: %s", body)
	}
	st, body = c.do(t, http.MethodGet, "/nowhere", "", "", nil)
	wantError(t, st, body, http.StatusNotFound)
}
