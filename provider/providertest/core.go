package providertest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/mediastore/mediastore"
)

func testName(t *testing.T, f *fixture) {
	if n := f.p.Name(); n == "" || n != f.p.Name() {
		t.Fatalf("Name() = %q, want a stable non-empty name", n)
	}
}

func testPutStat(t *testing.T, f *fixture) {
	t.Run("Text", func(t *testing.T) {
		data := content("hello", 1000)
		opts := textOpts(int64(len(data)))
		obj := f.put(t, f.key("hello.txt"), data, opts)
		f.stat(t, obj.Key, data, opts)
	})
	t.Run("Image", func(t *testing.T) {
		data := tinyPNG(t)
		opts := &mediastore.PutOptions{Size: int64(len(data)), ContentType: "image/png", ResourceType: "image", Filename: "dot.png"}
		obj := f.put(t, f.key("dot.png"), data, opts)
		got := f.stat(t, obj.Key, data, opts)
		if (got.Width != 0 || got.Height != 0) && (got.Width != 1 || got.Height != 1) {
			t.Errorf("Stat: %dx%d, want 1x1 when reported", got.Width, got.Height)
		}
	})
}

// tinyPNG encodes a 1x1 PNG.
func tinyPNG(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testPutUnknownSize(t *testing.T, f *fixture) {
	data := content("unknown", 70_000)
	key := f.key("unknown.bin")
	// A reader that hides its length: no Len, Seek or WriterTo.
	obj, err := f.p.Put(f.ctx, key, struct{ io.Reader }{bytes.NewReader(data)}, binOpts(-1))
	if err != nil {
		t.Fatalf("Put(%q, Size -1): %v", key, err)
	}
	f.checkReturned(t, key, obj)
	f.deleteAtEnd(t, obj.Key)
	checkObject(t, "Put", obj, data, binOpts(-1))
	f.stat(t, obj.Key, data, binOpts(-1))
	f.download(t, f.url(t, obj.Key, false), data)
}

// stream returns n pseudo-random bytes generated on the fly from seed.
func stream(seed byte, n int64) io.Reader {
	return io.LimitReader(rand.NewChaCha8([32]byte{seed}), n)
}

func testLargeStream(t *testing.T, f *fixture) {
	for _, tc := range []struct {
		name string
		seed byte
		size int64 // declared
	}{
		{"KnownSize", 1, f.opts.LargeSize},
		{"UnknownSize", 2, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := f.opts.LargeSize
			h := sha256.New()
			key := f.key("large.bin")
			obj, err := f.p.Put(f.ctx, key, io.TeeReader(stream(tc.seed, n), h), binOpts(tc.size))
			if err != nil {
				t.Fatalf("Put(%q, %d bytes, Size %d): %v", key, n, tc.size, err)
			}
			want := hex.EncodeToString(h.Sum(nil))
			f.checkReturned(t, key, obj)
			f.deleteAtEnd(t, obj.Key)
			if obj.Size != n {
				t.Errorf("Put: Object.Size = %d, want %d", obj.Size, n)
			}
			if obj.SHA256 != "" && obj.SHA256 != want {
				t.Errorf("Put: Object.SHA256 = %s, want %s", obj.SHA256, want)
			}
			if st, err := f.p.Stat(f.ctx, obj.Key); err != nil || st.Size != n {
				t.Fatalf("Stat(%q) = %+v, %v; want Size %d", obj.Key, st, err, n)
			}

			// Read it back through the URL, hashing as it streams.
			u := f.url(t, obj.Key, false)
			req, err := http.NewRequestWithContext(f.ctx, http.MethodGet, u, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := f.client.Do(req)
			if err != nil {
				t.Fatalf("GET %s: %v", u, err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: status %d", u, resp.StatusCode)
			}
			gh := sha256.New()
			got, err := io.Copy(gh, resp.Body)
			if err != nil {
				t.Fatalf("GET %s: reading: %v", u, err)
			}
			if got != n || hex.EncodeToString(gh.Sum(nil)) != want {
				t.Fatalf("GET %s: %d bytes, sha256 %x; want %d bytes, sha256 %s", u, got, gh.Sum(nil), n, want)
			}
		})
	}
}

func testStatMissing(t *testing.T, f *fixture) {
	f.requireNotFound(t, f.missingKey(t))
}

func testDeleteThenStat(t *testing.T, f *fixture) {
	data := content("delete", 100)
	obj := f.put(t, f.key("delete.txt"), data, textOpts(100))
	f.stat(t, obj.Key, data, textOpts(100))
	if err := f.p.Delete(f.ctx, obj.Key); err != nil {
		t.Fatalf("Delete(%q): %v", obj.Key, err)
	}
	f.requireNotFound(t, obj.Key)
	if err := f.p.Delete(f.ctx, obj.Key); err != nil {
		t.Fatalf("second Delete(%q) = %v, want nil", obj.Key, err)
	}
}

func testDeleteMissing(t *testing.T, f *fixture) {
	key := f.missingKey(t)
	for i := range 2 {
		if err := f.p.Delete(f.ctx, key); err != nil {
			t.Fatalf("Delete #%d of missing %q = %v, want nil", i+1, key, err)
		}
	}
}

func testURL(t *testing.T, f *fixture) {
	data := content("url", 5000)
	obj := f.put(t, f.key("url.txt"), data, textOpts(5000))
	f.download(t, f.url(t, obj.Key, false), data)
}

func testSignedURL(t *testing.T, f *fixture) {
	a := content("signed a", 3000)
	objA := f.put(t, f.key("a.txt"), a, textOpts(3000))
	u := f.url(t, objA.Key, true)
	f.download(t, u, a)
	if !f.opts.VerifiesSignedURLs {
		return
	}
	// The signature must bind the key: the same URL with another existing
	// key in place of this one is refused.
	b := content("signed b", 3000)
	objB := f.put(t, f.key("b.txt"), b, textOpts(3000))
	segA, segB := lastSegment(objA.Key), lastSegment(objB.Key)
	if !strings.Contains(u, segA) {
		t.Fatalf("signed URL %s does not contain %q, so the suite cannot swap keys; unset Options.VerifiesSignedURLs", u, segA)
	}
	swapped := strings.ReplaceAll(u, segA, segB)
	if code, body := f.get(t, swapped); code/100 == 2 || bytes.Equal(body, b) {
		t.Fatalf("GET of a signed URL with another key: status %d, want a refusal", code)
	}
}

func lastSegment(key string) string {
	return key[strings.LastIndexByte(key, '/')+1:]
}

func testOddKeys(t *testing.T, f *fixture) {
	for _, tc := range []struct{ name, key string }{
		{"Unicode", f.key("café-日本語-Ωmega.txt")},
		{"Emoji", f.key("smile-😀.txt")},
		{"DeepPath", f.prefix + "a/b/c/d/e/f/" + randHex(4) + "-deep.txt"},
		{"ManyDots", f.key("archive.v1.2.3.tar.gz")},
		{"MixedCase", f.key("Upper_lower-123.TXT")},
		{"Parens", f.key("name_(1).txt")},
		{"NoExtension", f.key("README")},
		{"Long", f.key(strings.Repeat("x", 150) + ".txt")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := content(tc.key, 333)
			obj := f.put(t, tc.key, data, binOpts(333))
			f.stat(t, obj.Key, data, binOpts(333))
			f.download(t, f.url(t, obj.Key, false), data)
			f.download(t, f.url(t, obj.Key, true), data)
			if err := f.p.Delete(f.ctx, obj.Key); err != nil {
				t.Fatalf("Delete(%q): %v", obj.Key, err)
			}
			f.requireNotFound(t, obj.Key)
		})
	}
}

var errBoom = errors.New("providertest: reader failed on purpose")

// failingReader yields n bytes of a stream, then fails with errBoom.
type failingReader struct {
	r io.Reader
	n int64
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errBoom
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	n, err := r.r.Read(p)
	r.n -= int64(n)
	return n, err
}

func testFailingReader(t *testing.T, f *fixture) {
	for _, tc := range []struct {
		name string
		size int64
	}{{"KnownSize", 4 << 20}, {"UnknownSize", -1}} {
		t.Run(tc.name, func(t *testing.T) {
			key := f.key("fails.bin")
			obj, err := f.p.Put(f.ctx, key, &failingReader{r: stream(3, 4<<20), n: 1 << 20}, binOpts(tc.size))
			if err == nil {
				f.deleteAtEnd(t, obj.Key)
				t.Fatalf("Put of a reader that fails = %+v, nil; want an error", obj)
			}
			if !f.opts.AssignsKeys {
				f.requireNotFound(t, key)
			}
		})
	}
}

// cancelReader yields a stream, cancels after the first `after` bytes, and
// goes on yielding until the stream ends: a provider that ignores the
// cancellation would store the whole stream.
type cancelReader struct {
	r      io.Reader
	after  int64
	cancel context.CancelFunc
	once   sync.Once
}

func (r *cancelReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.after -= int64(n)
	if r.after <= 0 {
		r.once.Do(r.cancel)
	}
	return n, err
}

func testCancelDuringPut(t *testing.T, f *fixture) {
	for _, tc := range []struct {
		name string
		size int64
	}{{"KnownSize", 9 << 20}, {"UnknownSize", -1}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(f.ctx)
			defer cancel()
			key := f.key("cancelled.bin")
			r := &cancelReader{r: stream(4, 9<<20), after: 1 << 20, cancel: cancel}
			obj, err := f.p.Put(ctx, key, r, binOpts(tc.size))
			if err == nil {
				f.deleteAtEnd(t, obj.Key)
				t.Fatalf("Put cancelled mid-stream = %+v, nil; want an error", obj)
			}
			if !f.opts.AssignsKeys {
				f.requireNotFound(t, key)
			}
		})
	}
	t.Run("AlreadyCancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(f.ctx)
		cancel()
		key := f.key("cancelled.txt")
		obj, err := f.p.Put(ctx, key, bytes.NewReader([]byte("never stored")), textOpts(12))
		if err == nil {
			f.deleteAtEnd(t, obj.Key)
			t.Fatalf("Put with a cancelled context = %+v, nil; want an error", obj)
		}
		if !f.opts.AssignsKeys {
			f.requireNotFound(t, key)
		}
	})
}

func testConcurrentPuts(t *testing.T, f *fixture) {
	const n = 8
	type result struct {
		key  string
		data []byte
		obj  *mediastore.Object
		err  error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range results {
		r := &results[i]
		r.key = f.key("concurrent.bin")
		r.data = content(r.key, 64<<10+i)
		wg.Go(func() {
			r.obj, r.err = f.p.Put(f.ctx, r.key, bytes.NewReader(r.data), binOpts(int64(len(r.data))))
		})
	}
	wg.Wait()
	for _, r := range results {
		if r.err != nil {
			t.Errorf("concurrent Put(%q): %v", r.key, r.err)
			continue
		}
		f.checkReturned(t, r.key, r.obj)
		f.deleteAtEnd(t, r.obj.Key)
	}
	if t.Failed() {
		return
	}
	for _, r := range results {
		f.stat(t, r.obj.Key, r.data, binOpts(int64(len(r.data))))
		f.download(t, f.url(t, r.obj.Key, false), r.data)
	}
}
