package disk_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/disk"
)

var secret = []byte("unit-test-secret-0123456789")

type testBundle struct {
	dir    string
	srv    *http.Client
	clock  *clock
	outDir string // a folder outside Dir, to detect escapes
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func setup(t *testing.T, public bool) (*disk.Provider, *testBundle) {
	t.Helper()
	base := t.TempDir()
	b := &testBundle{
		dir:    filepath.Join(base, "media"),
		outDir: filepath.Join(base, "outside"),
		clock:  &clock{t: time.Now()},
	}
	if err := os.Mkdir(b.outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	p, srv := newServed(t, disk.Config{Dir: b.dir, Secret: secret, Public: public, Test: disk.TestConfig{Now: b.clock.Now}})
	b.srv = srv.Client()
	return p, b
}

func put(t *testing.T, p *disk.Provider, key string, data []byte) *mediastore.Object {
	t.Helper()
	obj, err := p.Put(t.Context(), key, bytes.NewReader(data), &mediastore.PutOptions{Size: int64(len(data)), ContentType: "text/plain; charset=utf-8"})
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	return obj
}

// do sends a request and returns the status and body.
func do(t *testing.T, c *http.Client, method, u string, body []byte, hdr http.Header) (int, http.Header, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, rb
}

// requireNoTemps checks that no temp file is left in the provider's folder.
func requireNoTemps(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, ".mediastore", "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("temp files left behind: %v", names)
	}
}

func requireNotFound(t *testing.T, p *disk.Provider, key string) {
	t.Helper()
	if obj, err := p.Stat(context.Background(), key); !errors.Is(err, mediastore.ErrNotFound) {
		t.Fatalf("Stat(%q) = %+v, %v; want ErrNotFound", key, obj, err)
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  disk.Config
	}{
		{"NoDir", disk.Config{}},
		{"ShortSecret", disk.Config{Dir: t.TempDir(), Secret: []byte("short")}},
		{"RelativeBaseURL", disk.Config{Dir: t.TempDir(), BaseURL: "/media"}},
		{"BaseURLWithQuery", disk.Config{Dir: t.TempDir(), BaseURL: "http://127.0.0.1/media?x=1"}},
		{"FTPBaseURL", disk.Config{Dir: t.TempDir(), BaseURL: "ftp://127.0.0.1/media"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p, err := disk.New(tc.cfg); !errors.Is(err, mediastore.ErrInvalid) {
				t.Fatalf("New(%v) = %v, %v; want an ErrInvalid error", tc.cfg, p, err)
			}
		})
	}
}

func TestConfigRedactsSecret(t *testing.T) {
	t.Parallel()
	cfg := disk.Config{Dir: "d", Secret: secret}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("cfg", "cfg", cfg)
	for _, s := range []string{cfg.String(), fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), logged.String()} {
		if strings.Contains(s, string(secret)) || !strings.Contains(s, "REDACTED") {
			t.Errorf("secret not redacted: %s", s)
		}
	}
}

func TestWithoutBaseURL(t *testing.T) {
	t.Parallel()
	p, err := disk.New(disk.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	put(t, p, "a/b.txt", []byte("x"))
	if u, err := p.URL(t.Context(), "a/b.txt", &mediastore.URLOptions{Expiry: time.Minute}); !errors.Is(err, mediastore.ErrUnsupported) {
		t.Fatalf("URL without BaseURL = %q, %v; want ErrUnsupported", u, err)
	}
	if tk, err := p.PrepareDirect(t.Context(), "a/c.txt", &mediastore.DirectOptions{Size: -1}); !errors.Is(err, mediastore.ErrUnsupported) {
		t.Fatalf("PrepareDirect without BaseURL = %+v, %v; want ErrUnsupported", tk, err)
	}
}

func TestFileLayout(t *testing.T) {
	t.Parallel()
	p, b := setup(t, false)
	data := []byte("plain bytes on disk")
	obj := put(t, p, "alice/01j-photo.txt", data)
	got, err := os.ReadFile(filepath.Join(b.dir, "alice", "01j-photo.txt"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("file at the key's path = %q, %v; want %q", got, err, data)
	}
	sum := sha256.Sum256(data)
	if obj.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("Object.SHA256 = %q, want %x", obj.SHA256, sum)
	}
	st, err := p.Stat(t.Context(), obj.Key)
	if err != nil || st.ContentType != "text/plain; charset=utf-8" || st.SHA256 != obj.SHA256 {
		t.Fatalf("Stat = %+v, %v", st, err)
	}
	requireNoTemps(t, b.dir)
}

func TestKeysThatEscape(t *testing.T) {
	t.Parallel()
	p, b := setup(t, false)
	put(t, p, "ok/secret.txt", []byte("inside"))
	if err := os.WriteFile(filepath.Join(b.outDir, "secret.txt"), []byte("outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	// "../outside/x" would land in b.outDir.
	keys := []string{
		"", "/abs", "/etc/passwd", "..", "../outside/x", "a/../../outside/x", "a/../b",
		"a//b", "a/./b", "./a", "a/", "x\x00y", "a\\..\\b", "bad\nline",
		".mediastore", ".mediastore/meta/ok/secret.txt.json", ".mediastore/tmp/x",
		string([]byte{0xff, 0xfe}), strings.Repeat("k", 1025),
	}
	ctx := t.Context()
	for _, key := range keys {
		t.Run(fmt.Sprintf("%q", key), func(t *testing.T) {
			check := func(op string, err error) {
				t.Helper()
				if !errors.Is(err, mediastore.ErrInvalid) {
					t.Errorf("%s(%q) = %v, want an ErrInvalid error", op, key, err)
				}
			}
			_, err := p.Put(ctx, key, strings.NewReader("evil"), &mediastore.PutOptions{Size: 4})
			check("Put", err)
			_, err = p.Stat(ctx, key)
			check("Stat", err)
			check("Delete", p.Delete(ctx, key))
			_, err = p.URL(ctx, key, &mediastore.URLOptions{Expiry: time.Minute})
			check("URL", err)
			_, err = p.ReadRange(ctx, key, 0, -1)
			check("ReadRange", err)
			_, err = p.PrepareDirect(ctx, key, &mediastore.DirectOptions{Size: -1})
			check("PrepareDirect", err)
		})
	}
	// The handler refuses such paths too, even with a signature of its own.
	u, err := p.URL(ctx, "ok/secret.txt", &mediastore.URLOptions{Expiry: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/media/../outside/secret.txt", "/media/ok/%2e%2e/%2e%2e/outside/secret.txt", "/media/.mediastore/meta/ok/secret.txt.json"} {
		bad := strings.Replace(u, "/media/ok/secret.txt", path, 1)
		if code, _, body := do(t, b.srv, http.MethodGet, bad, nil, nil); code/100 == 2 || bytes.Contains(body, []byte("outside")) {
			t.Errorf("GET %s: status %d, body %q", path, code, body)
		}
	}
	entries, _ := os.ReadDir(b.outDir)
	if len(entries) != 1 {
		t.Fatalf("files appeared outside Dir: %v", entries)
	}
	if got, _ := os.ReadFile(filepath.Join(b.outDir, "secret.txt")); string(got) != "outside" {
		t.Fatalf("file outside Dir changed: %q", got)
	}
	requireNoTemps(t, b.dir)
}

func TestSymlinkOutsideIsNotFollowed(t *testing.T) {
	t.Parallel()
	p, b := setup(t, false)
	if err := os.WriteFile(filepath.Join(b.outDir, "secret.txt"), []byte("outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(b.outDir, filepath.Join(b.dir, "link")); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := p.Put(ctx, "link/new.txt", strings.NewReader("evil"), &mediastore.PutOptions{Size: 4}); err == nil {
		t.Error("Put through a symlink to outside succeeded")
	}
	if obj, err := p.Stat(ctx, "link/secret.txt"); err == nil {
		t.Errorf("Stat through a symlink to outside = %+v", obj)
	}
	if rc, err := p.ReadRange(ctx, "link/secret.txt", 0, -1); err == nil {
		rc.Close()
		t.Error("ReadRange through a symlink to outside succeeded")
	}
	if err := p.Delete(ctx, "link/secret.txt"); err == nil {
		if _, serr := os.Stat(filepath.Join(b.outDir, "secret.txt")); serr != nil {
			t.Error("Delete through a symlink removed a file outside Dir")
		}
	}
	if _, err := os.Stat(filepath.Join(b.outDir, "new.txt")); err == nil {
		t.Error("a file was written outside Dir")
	}
	requireNoTemps(t, b.dir)
}

// failAfter yields n bytes, then fails.
type failAfter struct{ n int }

var errBoom = errors.New("boom")

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errBoom
	}
	n := min(len(p), f.n)
	clear(p[:n])
	f.n -= n
	return n, nil
}

func TestFailedPutLeavesNothing(t *testing.T) {
	t.Parallel()
	p, b := setup(t, false)
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tooLong := mediastore.NewError("Upload", "", "", mediastore.ErrTooLarge, nil)
	for _, tc := range []struct {
		name string
		ctx  context.Context
		r    io.Reader
		size int64
		kind error
	}{
		{"ReaderFails", t.Context(), &failAfter{n: 1 << 20}, -1, mediastore.ErrInvalid},
		{"ReaderFailsKnownSize", t.Context(), &failAfter{n: 1 << 20}, 2 << 20, mediastore.ErrInvalid},
		{"ReaderFailsWithKind", t.Context(), io.MultiReader(strings.NewReader("abc"), &errReader{tooLong}), -1, mediastore.ErrTooLarge},
		{"Shorter", t.Context(), strings.NewReader("short"), 10, mediastore.ErrInvalid},
		{"Longer", t.Context(), strings.NewReader("longer than declared"), 5, mediastore.ErrInvalid},
		{"Cancelled", cancelled, strings.NewReader("never"), 5, mediastore.ErrProvider},
		{"CancelledMidStream", t.Context(), nil, -1, mediastore.ErrProvider},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, r := tc.ctx, tc.r
			if r == nil {
				c, cancel := context.WithCancel(ctx)
				defer cancel()
				ctx, r = c, &cancelAfter{n: 1 << 20, cancel: cancel}
			}
			key := "u/" + tc.name + ".bin"
			obj, err := p.Put(ctx, key, r, &mediastore.PutOptions{Size: tc.size})
			if !errors.Is(err, tc.kind) {
				t.Fatalf("Put = %+v, %v; want an error of kind %v", obj, err, tc.kind)
			}
			if k := mediastore.KindOf(err); k != tc.kind {
				t.Fatalf("KindOf(%v) = %v, want %v", err, k, tc.kind)
			}
			requireNotFound(t, p, key)
			if _, err := os.Stat(filepath.Join(b.dir, "u", tc.name+".bin")); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("object file exists after a failed Put: %v", err)
			}
			requireNoTemps(t, b.dir)
		})
	}
}

type errReader struct{ err error }

func (e *errReader) Read([]byte) (int, error) { return 0, e.err }

// cancelAfter yields zeros without end and cancels after n bytes.
type cancelAfter struct {
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	clear(p)
	if c.n -= len(p); c.n <= 0 {
		c.cancel()
	}
	return len(p), nil
}

func TestConcurrentPutsSameKey(t *testing.T) {
	t.Parallel()
	p, b := setup(t, false)
	const n = 8
	const key = "same/key.bin"
	datas := make([][]byte, n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		datas[i] = bytes.Repeat([]byte{byte('a' + i)}, 256<<10+i*4096)
		wg.Go(func() {
			_, errs[i] = p.Put(t.Context(), key, bytes.NewReader(datas[i]), &mediastore.PutOptions{Size: -1, ContentType: fmt.Sprintf("text/x-%d", i)})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Put #%d: %v", i, err)
		}
	}
	st, err := p.Stat(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := p.ReadRange(t.Context(), key, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	winner := int(got[0] - 'a')
	if winner < 0 || winner >= n || !bytes.Equal(got, datas[winner]) {
		t.Fatalf("stored object (%d bytes) is not one of the inputs whole", len(got))
	}
	sum := sha256.Sum256(got)
	if st.Size != int64(len(got)) || st.SHA256 != hex.EncodeToString(sum[:]) || st.ContentType != fmt.Sprintf("text/x-%d", winner) {
		t.Fatalf("Stat = %+v, does not describe input #%d", st, winner)
	}
	requireNoTemps(t, b.dir)
}

func TestDeleteFolderKey(t *testing.T) {
	t.Parallel()
	p, _ := setup(t, false)
	put(t, p, "a/b/c.txt", []byte("x"))
	requireNotFound(t, p, "a/b")
	if err := p.Delete(t.Context(), "a/b"); err != nil {
		t.Fatalf("Delete of a folder key = %v, want nil", err)
	}
	if _, err := p.Stat(t.Context(), "a/b/c.txt"); err != nil {
		t.Fatalf("Delete of the folder key removed its contents: %v", err)
	}
	requireNotFound(t, p, "a/b/c.txt/d")
}

func TestStaleTempsRemoved(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := disk.New(disk.Config{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, ".mediastore", "tmp")
	old, fresh := filepath.Join(tmp, "put-old"), filepath.Join(tmp, "put-fresh")
	for _, f := range []string{old, fresh} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	if _, err := disk.New(disk.Config{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temp file still there: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh temp file (maybe another process's) removed: %v", err)
	}
}
