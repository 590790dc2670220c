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
	"net/url"
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

func TestHandlerGet(t *testing.T) {
	t.Parallel()
	p, b := setup(t, false)
	data := []byte("0123456789abcdefghij")
	put(t, p, "u/f.txt", data)
	ctx := t.Context()
	u, err := p.URL(ctx, "u/f.txt", &mediastore.URLOptions{Expiry: time.Hour})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("Headers", func(t *testing.T) {
		code, h, body := do(t, b.srv, http.MethodGet, u, nil, nil)
		if code != 200 || !bytes.Equal(body, data) {
			t.Fatalf("GET: %d %q", code, body)
		}
		sum := sha256.Sum256(data)
		for k, want := range map[string]string{
			"Content-Type":           "text/plain; charset=utf-8",
			"Etag":                   `"` + hex.EncodeToString(sum[:]) + `"`,
			"X-Content-Type-Options": "nosniff",
			"Content-Length":         "20",
		} {
			if h.Get(k) != want {
				t.Errorf("%s = %q, want %q", k, h.Get(k), want)
			}
		}
	})
	t.Run("Head", func(t *testing.T) {
		code, h, body := do(t, b.srv, http.MethodHead, u, nil, nil)
		if code != 200 || len(body) != 0 || h.Get("Content-Length") != "20" {
			t.Fatalf("HEAD: %d %q %v", code, body, h)
		}
	})
	t.Run("Range", func(t *testing.T) {
		code, h, body := do(t, b.srv, http.MethodGet, u, nil, http.Header{"Range": {"bytes=5-9"}})
		if code != http.StatusPartialContent || string(body) != "56789" || h.Get("Content-Range") != "bytes 5-9/20" {
			t.Fatalf("ranged GET: %d %q %v", code, body, h)
		}
	})
	t.Run("DownloadName", func(t *testing.T) {
		du, err := p.URL(ctx, "u/f.txt", &mediastore.URLOptions{Expiry: time.Hour, DownloadName: "résumé.txt"})
		if err != nil {
			t.Fatal(err)
		}
		code, h, _ := do(t, b.srv, http.MethodGet, du, nil, nil)
		if cd := h.Get("Content-Disposition"); code != 200 || !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "r%C3%A9sum%C3%A9.txt") {
			t.Fatalf("GET with a download name: %d, Content-Disposition %q", code, cd)
		}
		// The name is signed: changing it breaks the URL.
		if code, _, _ := do(t, b.srv, http.MethodGet, strings.Replace(du, "dl=", "dl=evil", 1), nil, nil); code != http.StatusForbidden {
			t.Fatalf("GET with an altered download name: %d, want 403", code)
		}
	})
	t.Run("Missing", func(t *testing.T) {
		mu, err := p.URL(ctx, "u/missing.txt", &mediastore.URLOptions{Expiry: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if code, _, _ := do(t, b.srv, http.MethodGet, mu, nil, nil); code != http.StatusNotFound {
			t.Fatalf("GET of a missing key: %d, want 404", code)
		}
	})
	t.Run("MethodNotAllowed", func(t *testing.T) {
		code, h, _ := do(t, b.srv, http.MethodDelete, u, nil, nil)
		if code != http.StatusMethodNotAllowed || h.Get("Allow") == "" {
			t.Fatalf("DELETE: %d, Allow %q", code, h.Get("Allow"))
		}
		requireExists(t, p, "u/f.txt")
	})
}

func requireExists(t *testing.T, p *disk.Provider, key string) {
	t.Helper()
	if _, err := p.Stat(context.Background(), key); err != nil {
		t.Fatalf("Stat(%q): %v", key, err)
	}
}

// withQuery returns u with query parameter k set to v ("" deletes it).
func withQuery(t *testing.T, u, k, v string) string {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := pu.Query()
	if v == "" {
		q.Del(k)
	} else {
		q.Set(k, v)
	}
	pu.RawQuery = q.Encode()
	return pu.String()
}

func TestHandlerRefusesBadGetSignatures(t *testing.T) {
	t.Parallel()
	p, b := setup(t, false)
	ctx := t.Context()
	put(t, p, "u/f.txt", []byte("private"))
	put(t, p, "u/g.txt", []byte("other"))
	u, err := p.URL(ctx, "u/f.txt", &mediastore.URLOptions{Expiry: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(u)
	sig := pu.Query().Get("sig")
	flipped := []byte(sig)
	flipped[0] ^= 1
	other, err := disk.New(disk.Config{Dir: b.dir, BaseURL: "http://127.0.0.1/media", Secret: []byte("another-secret-0123456789")})
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := other.URL(ctx, "u/f.txt", &mediastore.URLOptions{Expiry: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	fu, _ := url.Parse(foreign)
	tk, err := p.PrepareDirect(ctx, "u/f.txt", &mediastore.DirectOptions{Size: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, url, wantBody string
	}{
		{"NoSignature", withQuery(t, withQuery(t, u, "sig", ""), "expires", ""), "bad signature"},
		{"NoSig", withQuery(t, u, "sig", ""), "bad signature"},
		{"FlippedSig", withQuery(t, u, "sig", string(flipped)), "bad signature"},
		{"GarbageSig", withQuery(t, u, "sig", "!!!"), "bad signature"},
		{"OtherSecret", withQuery(t, u, "sig", fu.Query().Get("sig")), "bad signature"},
		{"LaterExpiry", withQuery(t, u, "expires", fmt.Sprint(b.clock.Now().Add(time.Hour).Unix())), "bad signature"},
		{"OtherKey", strings.Replace(u, "/u/f.txt", "/u/g.txt", 1), "bad signature"},
		{"PutTicketForGet", tk.URL, "bad signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := do(t, b.srv, http.MethodGet, tc.url, nil, nil)
			if code != http.StatusForbidden || !strings.Contains(string(body), tc.wantBody) {
				t.Fatalf("GET: %d %q, want 403 %q", code, body, tc.wantBody)
			}
			if bytes.Contains(body, []byte(sig)) {
				t.Fatal("the response repeats the signature")
			}
		})
	}
	t.Run("Expired", func(t *testing.T) {
		if code, _, _ := do(t, b.srv, http.MethodGet, u, nil, nil); code != 200 {
			t.Fatalf("GET before expiry: %d", code)
		}
		b.clock.Add(time.Minute + time.Second)
		code, _, body := do(t, b.srv, http.MethodGet, u, nil, nil)
		if code != http.StatusForbidden || !strings.Contains(string(body), "signature expired") {
			t.Fatalf("GET after expiry: %d %q, want 403 signature expired", code, body)
		}
	})
}

func TestHandlerPublic(t *testing.T) {
	t.Parallel()
	p, b := setup(t, true)
	ctx := t.Context()
	put(t, p, "u/f.txt", []byte("public"))
	u, err := p.URL(ctx, "u/f.txt", &mediastore.URLOptions{Expiry: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(u, "sig=") {
		t.Fatalf("public URL is signed: %s", u)
	}
	if code, _, body := do(t, b.srv, http.MethodGet, u, nil, nil); code != 200 || string(body) != "public" {
		t.Fatalf("GET public: %d %q", code, body)
	}
	if st, _ := p.Stat(ctx, "u/f.txt"); st.URL != u {
		t.Fatalf("Object.URL = %q, want %q", st.URL, u)
	}
	signed, err := p.URL(ctx, "u/f.txt", &mediastore.URLOptions{Expiry: time.Minute, Signed: true})
	if err != nil || !strings.Contains(signed, "sig=") {
		t.Fatalf("signed URL of a public provider = %q, %v", signed, err)
	}
	// Uploads always need a ticket.
	if code, _, _ := do(t, b.srv, http.MethodPut, u, []byte("overwrite"), nil); code != http.StatusForbidden {
		t.Fatalf("unsigned PUT to a public provider: %d, want 403", code)
	}
	if code, _, body := do(t, b.srv, http.MethodGet, u, nil, nil); string(body) != "public" {
		t.Fatalf("object changed by an unsigned PUT: %d %q", code, body)
	}
}

func TestHandlerPut(t *testing.T) {
	t.Parallel()
	p, b := setup(t, false)
	ctx := t.Context()
	data := []byte("direct upload body")
	sum := sha256.Sum256(data)
	sumHex := hex.EncodeToString(sum[:])
	ticket := func(t *testing.T, key string, opts mediastore.DirectOptions) *mediastore.Ticket {
		t.Helper()
		tk, err := p.PrepareDirect(ctx, key, &opts)
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	full := mediastore.DirectOptions{ContentType: "text/plain", Size: int64(len(data)), MaxSize: 1000, SHA256: sumHex, Expiry: time.Minute}

	t.Run("Accepted", func(t *testing.T) {
		tk := ticket(t, "u/ok.txt", full)
		if tk.Method != http.MethodPut || tk.Headers.Get("Content-Type") != "text/plain" || tk.Key != "u/ok.txt" {
			t.Fatalf("ticket = %+v", tk)
		}
		if code, _, body := do(t, b.srv, tk.Method, tk.URL, data, tk.Headers); code != 200 {
			t.Fatalf("PUT: %d %q", code, body)
		}
		st, err := p.Stat(ctx, "u/ok.txt")
		if err != nil || st.Size != int64(len(data)) || st.ContentType != "text/plain" || st.SHA256 != sumHex {
			t.Fatalf("Stat after PUT = %+v, %v", st, err)
		}
		requireNoTemps(t, b.dir)
	})

	ct := http.Header{"Content-Type": {"text/plain"}}
	for _, tc := range []struct {
		name string
		opts mediastore.DirectOptions
		// edit changes the ticket's URL before use.
		edit   func(t *testing.T, u string) string
		method string
		body   []byte
		hdr    http.Header
		code   int
	}{
		{name: "BadSignature", opts: full, edit: func(t *testing.T, u string) string { return withQuery(t, u, "sig", "AAAA") }, body: data, hdr: ct, code: 403},
		{name: "NoSignature", opts: full, edit: func(t *testing.T, u string) string { return withQuery(t, u, "sig", "") }, body: data, hdr: ct, code: 403},
		{name: "OtherKey", opts: full, edit: func(t *testing.T, u string) string { return strings.Replace(u, "/u/refused-OtherKey.txt", "/u/other.txt", 1) }, body: data, hdr: ct, code: 403},
		{name: "LiftedLimit", opts: full, edit: func(t *testing.T, u string) string { return withQuery(t, u, "max", "") }, body: data, hdr: ct, code: 403},
		{name: "DroppedChecksum", opts: full, edit: func(t *testing.T, u string) string { return withQuery(t, u, "sha256", "") }, body: data, hdr: ct, code: 403},
		{name: "OtherTypeInURL", opts: full, edit: func(t *testing.T, u string) string { return withQuery(t, u, "ct", "text/html") }, body: data, hdr: http.Header{"Content-Type": {"text/html"}}, code: 403},
		{name: "WrongContentType", opts: full, body: data, hdr: http.Header{"Content-Type": {"text/html"}}, code: 403},
		{name: "NoContentType", opts: full, body: data, code: 403},
		{name: "Longer", opts: full, body: append(bytes.Clone(data), '!'), hdr: ct, code: 403},
		{name: "Shorter", opts: full, body: data[1:], hdr: ct, code: 403},
		{name: "WrongChecksum", opts: full, body: bytes.ToUpper(data), hdr: ct, code: 400},
		{name: "OverLimit", opts: mediastore.DirectOptions{ContentType: "text/plain", Size: -1, MaxSize: 5, Expiry: time.Minute}, body: data, hdr: ct, code: 413},
		{name: "GetURLForPut", opts: full, method: "GETURL", body: data, hdr: ct, code: 403},
	} {
		t.Run("Refuses"+tc.name, func(t *testing.T) {
			key := "u/refused-" + tc.name + ".txt"
			tk := ticket(t, key, tc.opts)
			u := tk.URL
			if tc.method == "GETURL" {
				var err error
				if u, err = p.URL(ctx, key, &mediastore.URLOptions{Expiry: time.Minute}); err != nil {
					t.Fatal(err)
				}
			}
			if tc.edit != nil {
				u = tc.edit(t, u)
			}
			code, _, body := do(t, b.srv, http.MethodPut, u, tc.body, tc.hdr)
			if code != tc.code {
				t.Fatalf("PUT: %d %q, want %d", code, body, tc.code)
			}
			requireNotFound(t, p, key)
			requireNotFound(t, p, "u/other.txt")
			requireNoTemps(t, b.dir)
		})
	}

	t.Run("OverLimitChunked", func(t *testing.T) {
		// No Content-Length: the limit is enforced while streaming.
		tk := ticket(t, "u/chunked.txt", mediastore.DirectOptions{ContentType: "text/plain", Size: -1, MaxSize: 1 << 20, Expiry: time.Minute})
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, tk.URL, struct{ io.Reader }{bytes.NewReader(make([]byte, 2<<20))})
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "text/plain")
		resp, err := b.srv.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("chunked PUT over the limit: %d, want 413", resp.StatusCode)
		}
		requireNotFound(t, p, "u/chunked.txt")
		requireNoTemps(t, b.dir)
	})

	t.Run("RefusesExpired", func(t *testing.T) {
		tk := ticket(t, "u/late.txt", full)
		if !tk.ExpiresAt.After(b.clock.Now()) || tk.ExpiresAt.After(b.clock.Now().Add(time.Minute+time.Second)) {
			t.Fatalf("ExpiresAt = %v, now %v", tk.ExpiresAt, b.clock.Now())
		}
		b.clock.Add(time.Minute + time.Second)
		code, _, body := do(t, b.srv, tk.Method, tk.URL, data, tk.Headers)
		if code != http.StatusForbidden || !strings.Contains(string(body), "signature expired") {
			t.Fatalf("PUT with an expired ticket: %d %q", code, body)
		}
		requireNotFound(t, p, "u/late.txt")
	})
}

func TestPrepareDirectValidates(t *testing.T) {
	t.Parallel()
	p, _ := setup(t, false)
	for _, opts := range []mediastore.DirectOptions{
		{Size: -1, SHA256: "not-hex"},
		{Size: -1, SHA256: strings.Repeat("A", 64)},
		{Size: 100, MaxSize: 10},
	} {
		if tk, err := p.PrepareDirect(t.Context(), "u/x.txt", &opts); !errors.Is(err, mediastore.ErrInvalid) {
			t.Errorf("PrepareDirect(%+v) = %+v, %v; want ErrInvalid", opts, tk, err)
		}
	}
}

func TestErrorsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	p, b := setup(t, false)
	tk, err := p.PrepareDirect(t.Context(), "u/x.txt", &mediastore.DirectOptions{Size: -1, ContentType: "text/plain"})
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(tk.URL)
	sig := pu.Query().Get("sig")
	_, _, body := do(t, b.srv, http.MethodPut, tk.URL, []byte("x"), http.Header{"Content-Type": {"text/html"}})
	if bytes.Contains(body, []byte(sig)) || bytes.Contains(body, secret) {
		t.Fatalf("error body leaks the signature or secret: %q", body)
	}
	_, err = p.Put(t.Context(), "u/y.txt", &failAfter{n: 10}, &mediastore.PutOptions{Size: -1})
	if err == nil || strings.Contains(err.Error(), string(secret)) || !strings.HasPrefix(err.Error(), "mediastore: ") {
		t.Fatalf("Put error = %v", err)
	}
}
