package httpapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/memory"
)

func TestUpload(t *testing.T) {
	t.Parallel()

	t.Run("HappyPath", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		content := pngData(2000)
		st, body := b.upload(t, "alice", part{name: "fileName", value: "Holiday Photo.PNG"}, part{name: "file", filename: "ignored.bin", value: content})
		wantStatus(t, st, body, http.StatusOK)
		res := decode[UploadResponse](t, body)
		f := res.File
		if f.Owner != "alice" || f.Filename != "Holiday-Photo.png" || f.ContentType != "image/png" || f.ResourceType != "image" ||
			f.Size != 2000 || f.Status != mediastore.StatusReady || f.Provider != "memory" || f.ID == "" {
			t.Fatalf("file = %+v", f)
		}
		if res.FileURL == "" {
			t.Fatal("fileUrl is empty")
		}
		gst, got := b.fetch(t, res.FileURL)
		if gst != http.StatusOK || string(got) != content {
			t.Fatalf("GET fileUrl = %d, %d bytes", gst, len(got))
		}
		b.wantCounts(t, "alice", counts{ready: 1, objects: 1})
	})

	t.Run("FileNameFallsBackToThePart", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		res := b.uploadFile(t, "alice", "cat.png", pngData(100))
		if res.File.Filename != "cat.png" {
			t.Fatalf("filename = %q", res.File.Filename)
		}
	})

	t.Run("FieldsInEitherOrder", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		content := pngData(700)
		orders := [][]part{
			{{name: "fileName", value: "a.png"}, {name: "size", value: "700"}, {name: "file", filename: "x", value: content}},
			{{name: "size", value: "700"}, {name: "fileName", value: "a.png"}, {name: "file", filename: "x", value: content}},
			{{name: "other", value: "skipped"}, {name: "size", value: " 700 "}, {name: "file", filename: "a.png", value: content}, {name: "fileName", value: "after.png"}},
		}
		for i, parts := range orders {
			st, body := b.upload(t, "alice", parts...)
			wantStatus(t, st, body, http.StatusOK)
			if f := decode[UploadResponse](t, body).File; f.Filename != "a.png" || f.Size != 700 {
				t.Fatalf("order %d: file = %+v", i, f)
			}
		}
		b.wantCounts(t, "alice", counts{ready: 3, objects: 3})
	})

	t.Run("SizeThatLies", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		for _, size := range []string{"10", "999", "1001", "5000000"} {
			st, body := b.upload(t, "alice", part{name: "size", value: size}, part{name: "file", filename: "a.png", value: pngData(1000)})
			wantError(t, st, body, http.StatusBadRequest, "the file is empty or its length differs from the size field")
		}
		for _, size := range []string{"abc", "-5", "0", "1.5", strings.Repeat("9", 40)} {
			st, body := b.upload(t, "alice", part{name: "size", value: size}, part{name: "file", filename: "a.png", value: pngData(1000)})
			wantError(t, st, body, http.StatusBadRequest, "size must be a positive whole number of bytes")
		}
		b.wantCounts(t, "alice", counts{})
	})

	t.Run("MissingFilePart", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		st, body := b.upload(t, "alice", part{name: "fileName", value: "a.png"}, part{name: "document", filename: "a.png", value: pngData(100)})
		wantError(t, st, body, http.StatusBadRequest, `the form has no file: send it in a field named "file"`)
		b.wantCounts(t, "alice", counts{})
	})

	t.Run("EmptyFile", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		st, body := b.upload(t, "alice", part{name: "file", filename: "a.png", value: ""})
		wantStatus(t, st, body, http.StatusBadRequest)
		b.wantCounts(t, "alice", counts{})
	})

	t.Run("WrongContentType", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		for _, ct := range []string{"application/json", "", "multipart/form-data", "application/x-www-form-urlencoded"} {
			st, body := b.do(t, http.MethodPost, "/upload", "alice", ct, strings.NewReader(`{"file":"x"}`))
			wantStatus(t, st, body, http.StatusUnsupportedMediaType)
		}
		b.wantCounts(t, "alice", counts{})
	})

	t.Run("BodyCutShort", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		ctype, full := form(t, part{name: "file", filename: "a.png", value: pngData(100 << 10)})
		st, body := b.do(t, http.MethodPost, "/upload", "alice", ctype, bytes.NewReader(full[:len(full)-200]))
		wantError(t, st, body, http.StatusBadRequest, "the request body is not valid multipart/form-data or was cut short")
		b.wantCounts(t, "alice", counts{})
	})

	t.Run("LargerThanMaxSize", func(t *testing.T) {
		t.Parallel()
		b := setup(t, &setupOpts{client: mediastore.Config{MaxSize: 4 << 10}})
		st, body := b.upload(t, "alice", part{name: "file", filename: "a.png", value: pngData(5 << 10)})
		wantError(t, st, body, http.StatusRequestEntityTooLarge, "file is larger than the 4 KB limit")
		st, body = b.upload(t, "alice", part{name: "size", value: "5000"}, part{name: "file", filename: "a.png", value: pngData(5000)})
		wantError(t, st, body, http.StatusRequestEntityTooLarge, "file is larger than the 4 KB limit")
		b.wantCounts(t, "alice", counts{})
	})

	t.Run("BodyLargerThanMaxBodyBytes", func(t *testing.T) {
		t.Parallel()
		b := setup(t, &setupOpts{config: func(c *Config) { c.MaxBodyBytes = 8 << 10 }})
		st, body := b.upload(t, "alice", part{name: "file", filename: "a.png", value: pngData(64 << 10)})
		wantError(t, st, body, http.StatusRequestEntityTooLarge, "the request body is larger than the 8 KB limit")
		// A huge field before the file breaks the limit too.
		st, body = b.upload(t, "alice", part{name: "junk", value: strings.Repeat("j", 16<<10)}, part{name: "file", filename: "a.png", value: pngData(10)})
		wantStatus(t, st, body, http.StatusRequestEntityTooLarge)
		st, body = b.upload(t, "alice", part{name: "fileName", value: strings.Repeat("n", 5000)}, part{name: "file", filename: "a.png", value: pngData(10)})
		wantError(t, st, body, http.StatusBadRequest, "fileName is longer than 4096 bytes")
		b.wantCounts(t, "alice", counts{})
	})

	t.Run("TypeNotAllowed", func(t *testing.T) {
		t.Parallel()
		b := setup(t, &setupOpts{client: mediastore.Config{AllowedTypes: []string{"image/*", "application/pdf"}}})
		st, body := b.upload(t, "alice", part{name: "file", filename: "a.png", value: "just some text, named like a picture"})
		wantError(t, st, body, http.StatusUnsupportedMediaType, "this type of file is not allowed (allowed: image/*, application/pdf)")
		b.wantCounts(t, "alice", counts{})
	})

	t.Run("Unauthenticated", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		st, body := b.upload(t, "", part{name: "file", filename: "a.png", value: pngData(10)})
		if st != http.StatusUnauthorized || string(body) != `{"success":false,"error":"authentication required"}`+"\n" {
			t.Fatalf("got %d %s", st, body)
		}
		b.wantCounts(t, "alice", counts{})
	})

	t.Run("ProviderFailure", func(t *testing.T) {
		t.Parallel()
		b := setup(t, &setupOpts{wrap: func(m *memory.Provider) mediastore.Provider {
			return &putObserver{Provider: m, put: func(ctx context.Context, key string, r io.Reader, opts *mediastore.PutOptions) (*mediastore.Object, error) {
				io.Copy(io.Discard, r)
				return nil, mediastore.NewError("Put", "memory", key, mediastore.ErrProvider, errors.New("disk full at /secret/path"))
			}}
		}})
		st, body := b.upload(t, "alice", part{name: "file", filename: "a.png", value: pngData(100)})
		wantError(t, st, body, http.StatusBadGateway, "the storage provider failed or could not be reached; try again later")
		if strings.Contains(string(body), "secret") {
			t.Fatalf("body leaks the cause: %s", body)
		}
		b.wantCounts(t, "alice", counts{})
	})
}

// TestUploadStreams proves that the file goes to the provider while the
// request body is still arriving: the client sends the rest of the body
// only once the provider has started reading.
func TestUploadStreams(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	var once sync.Once
	b := setup(t, &setupOpts{wrap: func(m *memory.Provider) mediastore.Provider {
		return &putObserver{Provider: m, put: func(ctx context.Context, key string, r io.Reader, opts *mediastore.PutOptions) (*mediastore.Object, error) {
			return m.Put(ctx, key, readerFunc(func(p []byte) (int, error) {
				n, err := r.Read(p)
				if n > 0 {
					once.Do(func() { close(started) })
				}
				return n, err
			}), opts)
		}}
	}})

	const first, rest = 64 << 10, 4 << 20
	var sent atomic.Int64
	var sentWhenStarted int64
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(countingWriter{pw, &sent})
	done := make(chan struct{})
	go func() {
		fw, err := mw.CreateFormFile("file", "big.png")
		if err != nil {
			pw.CloseWithError(err)
			return
		}
		io.WriteString(fw, pngData(first))
		select {
		case <-started:
			sentWhenStarted = sent.Load()
		case <-done: // the server answered early: the test fails below
			pw.CloseWithError(errors.New("no answer expected yet"))
			return
		}
		io.WriteString(fw, strings.Repeat("q", rest))
		mw.Close()
		pw.Close()
	}()
	req, err := http.NewRequest(http.MethodPost, b.api.URL+"/upload", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-User-ID", "alice")
	st, body := send(t, b.api.Client(), req)
	close(done)
	wantStatus(t, st, body, http.StatusOK)
	if f := decode[UploadResponse](t, body).File; f.Size != first+rest {
		t.Fatalf("size = %d, want %d", f.Size, first+rest)
	}
	if total := sent.Load(); sentWhenStarted <= 0 || sentWhenStarted >= total-rest {
		t.Fatalf("the provider started reading after %d of %d bytes, want before the last %d", sentWhenStarted, total, rest)
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

func TestUploadSpoolUnsized(t *testing.T) {
	t.Parallel()
	type bundle struct {
		*testBundle
		dir     string
		mu      sync.Mutex
		seen    []string // temp files present during each Put
		sizes   []int64  // opts.Size of each Put
		failPut atomic.Bool
	}
	newBundle := func(t *testing.T) *bundle {
		bb := &bundle{dir: t.TempDir()}
		bb.testBundle = setup(t, &setupOpts{
			client: mediastore.Config{MaxSize: 64 << 10},
			config: func(c *Config) { c.SpoolUnsized, c.TempDir = true, bb.dir },
			wrap: func(m *memory.Provider) mediastore.Provider {
				return &putObserver{Provider: m, put: func(ctx context.Context, key string, r io.Reader, opts *mediastore.PutOptions) (*mediastore.Object, error) {
					entries, err := os.ReadDir(bb.dir)
					if err != nil {
						return nil, err
					}
					bb.mu.Lock()
					for _, e := range entries {
						bb.seen = append(bb.seen, e.Name())
					}
					bb.sizes = append(bb.sizes, opts.Size)
					bb.mu.Unlock()
					if bb.failPut.Load() {
						io.Copy(io.Discard, r)
						return nil, mediastore.NewError("Put", "memory", key, mediastore.ErrProvider, nil)
					}
					return m.Put(ctx, key, r, opts)
				}}
			},
		})
		return bb
	}
	empty := func(t *testing.T, dir string) {
		t.Helper()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 0 {
			t.Fatalf("temp dir holds %d files after the request", len(entries))
		}
	}

	t.Run("SpoolsAndRemoves", func(t *testing.T) {
		t.Parallel()
		b := newBundle(t)
		st, body := b.upload(t, "alice", part{name: "file", filename: "a.png", value: pngData(3000)})
		wantStatus(t, st, body, http.StatusOK)
		if len(b.seen) != 1 || !strings.HasPrefix(b.seen[0], "mediastore-upload-") || b.sizes[0] != 3000 {
			t.Fatalf("during Put: temp files %v, size %v; want one spooled file and the size 3000", b.seen, b.sizes)
		}
		empty(t, b.dir)
	})

	t.Run("StatedSizeIsNotSpooled", func(t *testing.T) {
		t.Parallel()
		b := newBundle(t)
		st, body := b.upload(t, "alice", part{name: "size", value: "3000"}, part{name: "file", filename: "a.png", value: pngData(3000)})
		wantStatus(t, st, body, http.StatusOK)
		if len(b.seen) != 0 || b.sizes[0] != 3000 {
			t.Fatalf("during Put: temp files %v, size %v; want none and 3000", b.seen, b.sizes)
		}
	})

	t.Run("RemovedOnFailures", func(t *testing.T) {
		t.Parallel()
		b := newBundle(t)
		st, body := b.upload(t, "alice", part{name: "file", filename: "a.png", value: pngData(100 << 10)})
		wantStatus(t, st, body, http.StatusRequestEntityTooLarge)
		empty(t, b.dir)
		ctype, full := form(t, part{name: "file", filename: "a.png", value: pngData(10 << 10)})
		st, body = b.do(t, http.MethodPost, "/upload", "alice", ctype, bytes.NewReader(full[:len(full)-100]))
		wantStatus(t, st, body, http.StatusBadRequest)
		empty(t, b.dir)
		b.failPut.Store(true)
		st, body = b.upload(t, "alice", part{name: "file", filename: "a.png", value: pngData(1000)})
		wantStatus(t, st, body, http.StatusBadGateway)
		if len(b.seen) != 1 {
			t.Fatalf("temp files during the failing Put: %v", b.seen)
		}
		empty(t, b.dir)
		b.wantCounts(t, "alice", counts{})
	})
}
