package cloudinary

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mediastore/mediastore"
)

// fuzzSecret is the API secret of the fuzzed provider; no error may show it.
const fuzzSecret = "fuzz-secret-a1b2c3d4e5"

// cannedResponse is what the fuzz server answers to every request.
type cannedResponse struct {
	status int
	body   []byte
	cldErr string // X-Cld-Error header
}

// FuzzResponses feeds every answer of the Upload and Admin APIs that the
// provider parses (upload, chunked upload, resource details, destroy)
// with arbitrary statuses, bodies and X-Cld-Error headers. Whatever the
// answer: no panic; a failure is a *mediastore.Error of exactly one kind
// that starts "mediastore:", is bounded and never holds the API secret;
// a status of 300 or more is never a success, a 404 of the resource
// details is ErrNotFound; and a success names an asset in this package's
// key form.
func FuzzResponses(f *testing.F) {
	asset := `{"asset_id":"3515c6000a548515f1134043f9785c2f","public_id":"alice/x","version":1712345678,` +
		`"version_id":"7d2cc533bee9ff39f7da7414b61fce7e","signature":"f8645b000be7d717599affc89a068157e4748276",` +
		`"width":640,"height":480,"format":"png","resource_type":"image","type":"upload",` +
		`"created_at":"2024-04-05T12:00:00Z","bytes":4096,"etag":"0a1b2c","secure_url":"https://res.cloudinary.com/demo/image/upload/v1712345678/alice/x.png"}`
	for _, seed := range []cannedResponse{
		{200, []byte(asset), ""},
		{200, []byte(`{"result":"ok"}`), ""},
		{200, []byte(`{"result":"not found"}`), ""},
		{200, []byte(`{"result":"error"}`), ""},
		{200, []byte(`{"public_id":"","resource_type":"image"}`), ""},
		{200, []byte(`{"public_id":"../../etc","resource_type":"raw","bytes":-1}`), ""},
		{200, []byte(`{"bytes":"many"}`), ""},
		{200, []byte(`{"public_id":"alice/x","resource_type":"image"`), ""},
		{200, []byte(`not json`), ""},
		{200, nil, ""},
		{404, []byte(`{"error":{"message":"Resource not found - alice/x"}}`), ""},
		{400, []byte(`{"error":{"message":"Invalid Signature 5f3e... String to sign - 'public_id=x&timestamp=1'."}}`), ""},
		{400, []byte(`{"error":{"message":"File size too large. Got 20000000. Maximum is 10485760."}}`), ""},
		{401, []byte(`{"error":{"message":"Invalid api_key ` + fuzzSecret + `"}}`), ""},
		{420, []byte(`{"error":{"message":"Rate Limit Exceeded"}}`), "Rate Limit Exceeded"},
		{500, []byte(`<html><body>Internal Server Error</body></html>`), ""},
		{503, nil, "secret is " + fuzzSecret},
		{302, []byte(`redirect`), ""},
	} {
		f.Add(seed.status, seed.body, seed.cldErr)
	}

	var current atomic.Pointer[cannedResponse]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := current.Load()
		if c.cldErr != "" {
			w.Header().Set("X-Cld-Error", c.cldErr)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(c.body)))
		w.WriteHeader(c.status)
		w.Write(c.body)
	}))
	f.Cleanup(srv.Close)
	p, err := New(Config{CloudName: "demo", APIKey: "123456789012345", APISecret: fuzzSecret,
		APIBaseURL: srv.URL, HTTPClient: srv.Client(), ChunkSize: MinChunkSize})
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, status int, body []byte, cldErr string) {
		if status < 200 || status > 599 || len(body) > 1<<16 || strings.ContainsAny(cldErr, "\r\n\x00") || len(cldErr) > 1024 {
			t.Skip()
		}
		if status == http.StatusNoContent || status == http.StatusNotModified || status == 101 {
			t.Skip() // no body allowed
		}
		current.Store(&cannedResponse{status, body, cldErr})
		ctx := context.Background()
		check := func(op string, obj *mediastore.Object, err error) {
			t.Helper()
			if err != nil {
				checkFuzzError(t, op, err)
				// A header with a control character makes the response
				// malformed: a provider failure, whatever the status.
				if status == http.StatusNotFound && op == "Stat" && validFieldValue(cldErr) && !errors.Is(err, mediastore.ErrNotFound) {
					t.Errorf("Stat: a 404 gave %v, want ErrNotFound", err)
				}
				return
			}
			if status >= 300 {
				t.Errorf("%s: status %d taken for a success", op, status)
			}
			if obj == nil {
				if op != "Delete" {
					t.Errorf("%s: no error and no object", op)
				}
				return
			}
			if _, ok := p.refOf(obj.Key); !ok || !strings.Contains(obj.Key, "/") {
				t.Errorf("%s: key %q is not in the key form", op, obj.Key)
			}
		}
		obj, err := p.Stat(ctx, "image/upload/alice/x")
		check("Stat", obj, err)
		obj, err = p.VerifyDirect(ctx, "auto/upload/alice/x", map[string]string{"public_id": "alice/x", "resource_type": "image"})
		check("VerifyDirect", obj, err)
		check("Delete", nil, p.Delete(ctx, "image/upload/alice/x"))
		png := []byte("\x89PNG\r\n\x1a\n0123456789")
		obj, err = p.Put(ctx, "alice/x.png", bytes.NewReader(png), &mediastore.PutOptions{Size: int64(len(png)), ContentType: "image/png", ResourceType: "image"})
		check("Put", obj, err)
	})
}

// validFieldValue reports whether v may be an HTTP header value (RFC 9110,
// section 5.5): visible characters, obs-text, spaces and tabs, no other
// control character.
func validFieldValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// checkFuzzError fails t unless err is a library error of exactly one
// kind, bounded, without the secret.
func checkFuzzError(t *testing.T, op string, err error) {
	t.Helper()
	var me *mediastore.Error
	kinds := 0
	for _, k := range []error{mediastore.ErrNotFound, mediastore.ErrConflict, mediastore.ErrTooLarge, mediastore.ErrTypeNotAllowed,
		mediastore.ErrForbidden, mediastore.ErrInvalid, mediastore.ErrUnsupported, mediastore.ErrProvider, mediastore.ErrStore} {
		if errors.Is(err, k) {
			kinds++
		}
	}
	msg := err.Error()
	switch {
	case !errors.As(err, &me) || kinds != 1:
		t.Errorf("%s: %v is not a *mediastore.Error of one kind (%d kinds)", op, err, kinds)
	case !strings.HasPrefix(msg, "mediastore: "):
		t.Errorf("%s: message %q does not start with mediastore:", op, msg)
	case strings.Contains(msg, fuzzSecret):
		t.Errorf("%s: message holds the API secret: %q", op, msg)
	case len(msg) > 4096:
		t.Errorf("%s: message of %d bytes", op, len(msg))
	}
}
