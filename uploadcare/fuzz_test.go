package uploadcare

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

// The fuzzed project's keys; no error may show the secrets.
const (
	fuzzPublicKey = "demopublickey"
	fuzzSecretKey = "fuzz-secret-9f8e7d6c5b"
	fuzzUUID      = "7a3b2c1d-0e9f-4a8b-9c7d-6e5f4a3b2c1d"
	fuzzKey       = "alice/abc-x.png"
)

// fuzzExchange is one request the fuzz server answers with the fuzzed
// response; every other request gets a well-formed answer.
type fuzzExchange struct {
	target string // method and path prefix, "GET /files/"
	status int
	body   []byte
}

// fuzzTargets are the answers the provider parses: REST file info (Stat,
// VerifyDirect), delete and store, and the Upload API's /base/ and /info/.
var fuzzTargets = []string{"GET /files/", "DELETE /files/", "PUT /files/", "POST /base/", "GET /info/"}

// FuzzResponses feeds each answer of the REST and Upload APIs that the
// provider parses with an arbitrary status and body, the other answers of
// the flow being well-formed. Whatever the answer: no panic; a failure is
// a *mediastore.Error of exactly one kind that starts "mediastore:", is
// bounded and never holds the secret key; a status outside 2xx is never a
// success, except a 404 of a delete (missing counts as deleted); a 404 of
// the file info is ErrNotFound; a success names a file by its UUID, and a
// Put's object has the length sent.
func FuzzResponses(f *testing.F) {
	info := `{"uuid":"` + fuzzUUID + `","datetime_removed":null,"datetime_stored":null,"datetime_uploaded":"2025-01-02T03:04:05.678Z",` +
		`"is_image":true,"is_ready":true,"mime_type":"image/png","original_filename":"x.png","size":18,` +
		`"content_info":{"mime":{"mime":"image/png","type":"image","subtype":"png"},"image":{"format":"PNG","width":2,"height":3}},` +
		`"metadata":{"` + metadataKey + `":"` + fuzzKey + `"}}`
	stored := strings.Replace(info, `"datetime_stored":null`, `"datetime_stored":"2025-01-02T03:05:00Z"`, 1)
	removed := strings.Replace(info, `"datetime_removed":null`, `"datetime_removed":"2025-01-03T00:00:00Z"`, 1)
	uploadInfo := `{"uuid":"` + fuzzUUID + `","file_id":"` + fuzzUUID + `","size":18,"mime_type":"image/png","is_image":true,"is_stored":false,` +
		`"is_ready":true,"original_filename":"x.png","image_info":{"format":"PNG","width":2,"height":3}}`
	for _, target := range fuzzTargets {
		for _, seed := range []struct {
			status int
			body   string
		}{
			{200, info}, {200, stored}, {200, removed}, {200, uploadInfo},
			{200, `{"file":"` + fuzzUUID + `"}`}, {200, `{"file":"not-a-uuid"}`}, {200, `{"file":7}`},
			{200, `{"uuid":"` + fuzzUUID + `","size":-1}`}, {200, `{"metadata":{"` + metadataKey + `":"bob/other.png"}}`},
			{200, `{"size":"big"}`}, {200, `{`}, {200, ``}, {200, `null`}, {200, `[]`},
			{404, `{"detail":"Not found."}`}, {400, `{"detail":"Invalid UUID."}`},
			{401, `{"detail":"Incorrect authentication credentials. ` + fuzzSecretKey + `"}`},
			{403, `UPLOADCARE_SIGNATURE_INVALID: signature ` + fuzzSecretKey}, {413, `File is too large.`},
			{429, `{"detail":"Request was throttled. Expected available in 1 second."}`},
			{500, `<html>oops</html>`}, {503, ``}, {301, `moved`},
		} {
			f.Add(target, seed.status, []byte(seed.body))
		}
	}

	good := map[string]string{
		"GET /files/": info, "DELETE /files/": removed, "PUT /files/": stored,
		"POST /base/": `{"file":"` + fuzzUUID + `"}`, "GET /info/": uploadInfo,
	}
	var current atomic.Pointer[fuzzExchange]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := current.Load()
		req := r.Method + " " + r.URL.Path
		status, body := http.StatusOK, []byte(nil)
		for prefix, b := range good {
			if strings.HasPrefix(req, prefix) {
				body = []byte(b)
			}
		}
		if strings.HasPrefix(req, c.target) {
			status, body = c.status, c.body
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		w.Write(body)
	}))
	f.Cleanup(srv.Close)
	p, err := New(Config{PublicKey: fuzzPublicKey, SecretKey: fuzzSecretKey, UploadBaseURL: srv.URL, APIBaseURL: srv.URL,
		CDNBaseURL: "https://cdn.example.com", HTTPClient: srv.Client()})
	if err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, target string, status int, body []byte) {
		known := false
		for _, ft := range fuzzTargets {
			known = known || target == ft
		}
		if !known || status < 200 || status > 599 || status == http.StatusNoContent || status == http.StatusNotModified || len(body) > 1<<16 {
			t.Skip()
		}
		current.Store(&fuzzExchange{target, status, body})
		ctx := context.Background()
		failed := status/100 != 2
		check := func(op, hits string, obj *mediastore.Object, err error) {
			t.Helper()
			mine := hits == target
			if err != nil {
				checkFuzzError(t, op, err)
				if mine && status == http.StatusNotFound && op != "Delete" && !errors.Is(err, mediastore.ErrNotFound) {
					t.Errorf("%s: a 404 gave %v, want ErrNotFound", op, err)
				}
				if mine && status == http.StatusNotFound && op == "Delete" {
					t.Errorf("Delete: a 404 (missing) gave %v, want success", err)
				}
				return
			}
			if mine && failed && !(op == "Delete" && status == http.StatusNotFound) {
				t.Errorf("%s: status %d taken for a success", op, status)
			}
			if obj != nil && !IsUUID(obj.Key) {
				t.Errorf("%s: key %q is not a UUID", op, obj.Key)
			}
		}
		obj, err := p.Stat(ctx, fuzzUUID)
		check("Stat", "GET /files/", obj, err)
		obj, err = p.VerifyDirect(ctx, fuzzKey, map[string]string{"uuid": fuzzUUID})
		check("VerifyDirect", "GET /files/", obj, err)
		check("Delete", "DELETE /files/", nil, p.Delete(ctx, fuzzUUID))
		check("Commit", "PUT /files/", nil, p.Commit(ctx, fuzzUUID))
		if target == "POST /base/" || target == "GET /info/" {
			data := []byte("\x89PNG\r\n\x1a\n0123456789")
			obj, err = p.Put(ctx, fuzzKey, bytes.NewReader(data), &mediastore.PutOptions{Size: int64(len(data)), ContentType: "image/png", ResourceType: "image", Filename: "x.png"})
			check("Put", target, obj, err)
			if err == nil && obj.Size != int64(len(data)) {
				t.Errorf("Put: object of %d bytes, %d sent", obj.Size, len(data))
			}
		}
	})
}

// checkFuzzError fails t unless err is a library error of exactly one
// kind, bounded, without the secret key.
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
	case strings.Contains(msg, fuzzSecretKey):
		t.Errorf("%s: message holds the secret key: %q", op, msg)
	case len(msg) > 4096:
		t.Errorf("%s: message of %d bytes", op, len(msg))
	}
}
