package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/mediastore/mediastore"
)

const fuzzBoundary = "FUZZBOUNDARY"

// fuzzBundle is one handler over a Client whose keys are predictable, so
// that the seed corpora can name the key of a prepared upload.
func fuzzBundle(f *testing.F) *testBundle {
	var n atomic.Int64
	b := setup(f, &setupOpts{client: mediastore.Config{
		MaxSize:      64 << 10,
		AllowedTypes: []string{"image/png", "text/plain"},
		Test:         mediastore.TestConfig{NewKey: func() string { return fmt.Sprintf("k%d", n.Add(1)) }},
	}})
	return b
}

// checkEnvelope fails unless body is the JSON envelope of status.
func checkEnvelope(t *testing.T, status int, body []byte) {
	t.Helper()
	e := decode[ErrorResponse](t, body)
	if e.Success != (status == http.StatusOK) || (status != http.StatusOK && e.Error == "") {
		t.Fatalf("status %d with body %s", status, body)
	}
}

// FuzzUpload feeds arbitrary multipart bodies to POST /upload. Whatever the
// body, the answer is a client error or a success in the JSON envelope,
// and a failure keeps nothing (each success is deleted again).
func FuzzUpload(f *testing.F) {
	b := fuzzBundle(f)
	seed := func(parts ...part) {
		ctype, body := form(f, parts...)
		_, params, err := mime.ParseMediaType(ctype)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bytes.ReplaceAll(body, []byte(params["boundary"]), []byte(fuzzBoundary)))
	}
	seed(part{name: "fileName", value: "a.png"}, part{name: "size", value: "600"}, part{name: "file", filename: "x.png", value: pngData(600)})
	seed(part{name: "file", filename: "t.txt", value: "hello"})
	seed(part{name: "size", value: "3"}, part{name: "file", filename: "t.txt", value: "hello"})
	seed(part{name: "fileName", value: "only"})
	f.Add([]byte("--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nabc"))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/upload", bytes.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+fuzzBoundary)
		req.Header.Set("X-User-ID", "fuzz")
		rec := httptest.NewRecorder()
		b.h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.Bytes())
		}
		checkEnvelope(t, rec.Code, rec.Body.Bytes())
		if rec.Code == http.StatusOK {
			f := decode[UploadResponse](t, rec.Body.Bytes()).File
			if f == nil || f.Status != mediastore.StatusReady || f.Size <= 0 {
				t.Fatalf("uploaded %s", rec.Body.Bytes())
			}
			if err := b.client.Delete(context.Background(), "fuzz", f.ID); err != nil {
				t.Fatal(err)
			}
		}
		if c := b.counts(t, "fuzz"); c != (counts{}) {
			t.Fatalf("left behind: %+v", c)
		}
	})
}

// FuzzSaveMetadata feeds arbitrary JSON bodies to the save-metadata
// endpoint. The answer is always the JSON envelope and never a server
// error; the one prepared and uploaded key may be confirmed.
func FuzzSaveMetadata(f *testing.F) {
	b := fuzzBundle(f)
	req := httptest.NewRequest(http.MethodPost, "/presign-upload", bytes.NewReader([]byte(`{"fileName":"seed.png","contentType":"image/png"}`)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-User-ID", "fuzz")
	rec := httptest.NewRecorder()
	b.h.PresignUpload(rec, req)
	p := decode[PresignResponse](f, rec.Body.Bytes())
	if p.ObjectKey != "fuzz/k1-seed.png" { // the seed corpus names it
		f.Fatalf("presign = %s", rec.Body.Bytes())
	}
	if st := b.putTicket(f, &mediastore.Ticket{Method: http.MethodPut, URL: p.PresignedURL,
		Headers: http.Header{"Content-Type": {"image/png"}}}, pngData(100)); st/100 != 2 {
		f.Fatalf("PUT = %d", st)
	}
	for _, s := range []string{
		`{"objectKey":"fuzz/k1-seed.png","publicFileUrl":"https://evil.example/"}`,
		`{"objectKey":"fuzz/k2-none.png"}`,
		`{"objectKey":"","publicFileUrl":5}`,
		`{"objectKey":"a","objectKey":"b"}`,
		`{"objectKey":"\u0000../x"}`,
		`[]`, `null`, `{`, `{"x":1}`, `{} {}`,
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/save-metadata", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-User-ID", "fuzz")
		rec := httptest.NewRecorder()
		b.h.SaveMetadata(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.Bytes())
		}
		checkEnvelope(t, rec.Code, rec.Body.Bytes())
		if c := b.counts(t, "fuzz"); c.ready+c.pending != 1 || c.objects != 1 {
			t.Fatalf("rows and objects changed: %+v", c)
		}
	})
}
