package reliability

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/httpapi"
	"github.com/mediastore/mediastore/store/memstore"
)

// openFDs counts the process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatalf("cannot count file descriptors: %v", err)
	}
	return len(entries)
}

// filesIn counts the entries under dir, recursively; a missing dir has none.
func filesIn(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if errors.Is(err, os.ErrNotExist) {
			return filepath.SkipAll
		}
		if err != nil {
			return err
		}
		if !d.IsDir() {
			n++
		}
		return nil
	})
	must(t, err)
	return n
}

// brokenReader fails after n bytes.
type brokenReader struct {
	r io.Reader
	n int
}

func (b *brokenReader) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, errors.New("the client went away")
	}
	if len(p) > b.n {
		p = p[:b.n]
	}
	k, err := b.r.Read(p)
	b.n -= k
	return k, err
}

// TestNoLeaks: a batch of uploads that succeed and uploads that fail (too
// large, a type not allowed, a stream that breaks, a cancelled context),
// through the Client, through httpapi with spooling to temporary files,
// and straight into the disk provider, leaves as many open file
// descriptors as before and no temporary file. It does not run in
// parallel, so that no other test opens files meanwhile.
func TestNoLeaks(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd on this system")
	}
	if os.Getenv(envCrashStep) != "" {
		t.Skip("crash child")
	}
	ctx := context.Background()
	dir, spool := t.TempDir(), t.TempDir()
	p := newDisk(t, dir)
	c, err := mediastore.New(p, memstore.New(), &mediastore.Config{MaxSize: 256 << 10, AllowedTypes: []string{"image/*"}})
	must(t, err)
	h, err := httpapi.New(c, httpapi.Config{SpoolUnsized: true, TempDir: spool,
		Authenticate: func(*http.Request) (string, error) { return "alice", nil }})
	must(t, err)
	png := pngBytes(100<<10, 5)
	tooBig := pngBytes(300<<10, 6)

	form := func(content []byte, withSize bool) (string, []byte) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		if withSize {
			mw.WriteField("size", fmt.Sprint(len(content)))
		}
		w, _ := mw.CreateFormFile("file", "x.png")
		w.Write(content)
		mw.Close()
		return mw.FormDataContentType(), buf.Bytes()
	}
	batch := func(srv *httptest.Server) {
		for i := range 5 {
			// The Client: successes, then each kind of failure.
			f, err := c.Upload(ctx, "alice", bytes.NewReader(png), &mediastore.UploadOptions{Filename: "ok.png"})
			must(t, err)
			if i%2 == 0 {
				must(t, c.Delete(ctx, "alice", f.ID))
			}
			for _, bad := range []io.Reader{
				bytes.NewReader(tooBig),
				bytes.NewReader([]byte("%PDF-1.4 not an image")),
				&brokenReader{r: bytes.NewReader(png), n: 50 << 10},
			} {
				if _, err := c.Upload(ctx, "alice", bad, nil); err == nil {
					t.Fatal("a bad upload succeeded")
				}
			}
			cctx, cancel := context.WithCancel(ctx)
			r := &hookReader{r: bytes.NewReader(png), n: 10 << 10, at: cancel}
			if _, err := c.Upload(cctx, "alice", r, nil); err == nil {
				t.Fatal("a cancelled upload succeeded")
			}
			cancel()

			// The disk provider alone: a whole Put, a broken one.
			_, err = p.Put(ctx, fmt.Sprintf("direct/%d.png", i), bytes.NewReader(png), &mediastore.PutOptions{Size: int64(len(png)), ContentType: "image/png"})
			must(t, err)
			if _, err := p.Put(ctx, "direct/broken.png", &brokenReader{r: bytes.NewReader(png), n: 1000}, &mediastore.PutOptions{Size: -1}); err == nil {
				t.Fatal("a broken Put succeeded")
			}

			// httpapi, spooling the unsized uploads to temporary files.
			for _, up := range []struct {
				content  []byte
				withSize bool
				want     int
			}{{png, false, 200}, {png, true, 200}, {tooBig, false, 413}, {[]byte("text, not an image"), false, 415}} {
				ctype, body := form(up.content, up.withSize)
				resp, err := srv.Client().Post(srv.URL+"/upload", ctype, bytes.NewReader(body))
				must(t, err)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != up.want {
					t.Fatalf("upload: %d, want %d", resp.StatusCode, up.want)
				}
			}
		}
	}
	run := func() {
		srv := httptest.NewServer(h)
		batch(srv)
		srv.Client().CloseIdleConnections()
		srv.Close()
	}

	run() // once first, for what the runtime opens once (epoll, ...)
	// No garbage collection during the measured batch: the finalizers of
	// files and connections would otherwise close what the code leaked.
	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	fds, temps := openFDs(t), filesIn(t, filepath.Join(dir, ".mediastore", "tmp"))+filesIn(t, spool)
	run()
	if got := openFDs(t); got > fds {
		t.Errorf("open file descriptors: %d after the batch, %d before", got, fds)
	}
	if got := filesIn(t, filepath.Join(dir, ".mediastore", "tmp")) + filesIn(t, spool); got != 0 || temps != 0 {
		t.Errorf("temporary files left: %d (and %d after the first batch)", got, temps)
	}
}
