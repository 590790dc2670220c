package presigntest

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/mediastore/mediastore/examples/internal/app"
)

// firstByte is a transport that closes sent when the first byte of a
// request body to S3 is read.
type firstByte struct {
	rt   http.RoundTripper
	once sync.Once
	sent chan struct{}
}

func (f *firstByte) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Method == http.MethodPut {
		req.Body = &watchedBody{ReadCloser: req.Body, f: f}
	}
	return f.rt.RoundTrip(req)
}

type watchedBody struct {
	io.ReadCloser
	f *firstByte
}

func (w *watchedBody) Read(p []byte) (int, error) {
	n, err := w.ReadCloser.Read(p)
	if n > 0 {
		w.f.once.Do(func() { close(w.f.sent) })
	}
	return n, err
}

// multipartHead writes the fields and the file part's header of an upload
// body to mw and returns the file part's writer.
func multipartHead(mw *multipart.Writer, fields map[string]string, filename string) (io.Writer, error) {
	for _, k := range []string{"fileName", "size"} {
		if v, ok := fields[k]; ok {
			if err := mw.WriteField(k, v); err != nil {
				return nil, err
			}
		}
	}
	return mw.CreateFormFile("file", filename)
}

// testServerUpload sends files through POST /upload.
func testServerUpload(t *testing.T, ex *Example) {
	const max = 4 << 20
	fb := &firstByte{sent: make(chan struct{})}
	b := setup(t, ex, options{
		common:    app.Common{MaxSize: max, AllowedTypes: []string{"image/*"}},
		transport: func(rt http.RoundTripper) http.RoundTripper { fb.rt = rt; return fb },
	})
	c := b.client()
	head := pngBytes(t, 32, 32)
	data := append(head, bytes.Repeat([]byte("mediastore"), (3<<20)/10)...) // a 3 MiB PNG-headed file

	t.Run("Streamed", func(t *testing.T) {
		// The body is written through a pipe: the first MiB, then the test
		// waits until S3 has received bytes of the file, then the rest. A
		// server that held the whole file before sending it would never
		// send, and the test would fail below instead of finishing.
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		written := make(chan error, 1)
		go func() {
			fw, err := multipartHead(mw, map[string]string{"fileName": "big.png", "size": strconv.Itoa(len(data))}, "big.png")
			if err == nil {
				_, err = fw.Write(data[:1<<20])
			}
			if err == nil {
				select {
				case <-fb.sent:
				case <-t.Context().Done():
					err = t.Context().Err()
				}
			}
			if err == nil {
				_, err = fw.Write(data[1<<20:])
			}
			if err == nil {
				err = mw.Close()
			}
			pw.CloseWithError(err)
			written <- err
		}()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, b.api.URL+"/upload", pr)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("X-User-ID", "alice")
		st, body := send(t, c.hc, req)
		if err := <-written; err != nil {
			t.Fatalf("writing the body: %v", err)
		}
		u := wantOK[uploadResp](t, st, body)
		if u.File.Size != int64(len(data)) || u.File.ContentType != "image/png" || u.File.UserID != "alice" || u.FileURL == "" {
			t.Fatalf("upload = %s", body)
		}
		st, body = c.do(t, http.MethodGet, "/files/"+u.File.ID+"/url", "alice", "", nil)
		st, got := get(t, b.srv.HTTPClient(), wantOK[urlResp](t, st, body).URL)
		if st != http.StatusOK || !bytes.Equal(got, data) {
			t.Fatalf("download: status %d, %d bytes, want the %d uploaded", st, len(got), len(data))
		}
	})

	// upload sends a whole multipart body and wants status.
	upload := func(t *testing.T, fields map[string]string, file []byte, want int) {
		t.Helper()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, err := multipartHead(mw, fields, "f.png")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
		mw.Close()
		allBefore, _ := b.rows(t)
		objBefore := len(b.objects(t))
		st, body := c.do(t, http.MethodPost, "/upload", "bob", mw.FormDataContentType(), &buf)
		wantError(t, st, body, want)
		if all, _ := b.rows(t); all != allBefore {
			t.Fatalf("rows %d -> %d after a refused upload", allBefore, all)
		}
		if n := len(b.objects(t)); n != objBefore {
			t.Fatalf("objects %d -> %d after a refused upload", objBefore, n)
		}
	}
	t.Run("WrongSize", func(t *testing.T) {
		upload(t, map[string]string{"size": strconv.Itoa(len(head) + 1)}, head, http.StatusBadRequest)
		upload(t, map[string]string{"size": strconv.Itoa(len(head) - 1)}, head, http.StatusBadRequest)
	})
	t.Run("TooLarge", func(t *testing.T) {
		upload(t, nil, append(head, make([]byte, max)...), http.StatusRequestEntityTooLarge)
	})
	t.Run("TypeNotAllowed", func(t *testing.T) {
		upload(t, map[string]string{"fileName": "x.png"}, pdfBytes, http.StatusUnsupportedMediaType)
	})
	t.Run("NoFile", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("fileName", "x.png")
		mw.Close()
		st, body := c.do(t, http.MethodPost, "/upload", "bob", mw.FormDataContentType(), &buf)
		wantError(t, st, body, http.StatusBadRequest)
	})
	st, body := c.do(t, http.MethodGet, "/files", "bob", "", nil)
	if l := wantOK[listResp](t, st, body); len(l.Files) != 0 {
		t.Fatalf("bob's refused uploads are listed: %s", body)
	}
}
