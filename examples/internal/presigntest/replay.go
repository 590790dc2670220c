package presigntest

import (
	"bytes"
	"maps"
	"net/http"
	"testing"
)

// testReplay PUTs a presigned URL a second time after save-metadata has
// checked the first upload: other bytes, of a type the limits refuse.
// Without create-only tickets the replay replaces the object (the residual
// risk that the providers' docs state); with them the S3 server refuses it
// with 412 and the signed URL keeps serving the checked bytes. The presign
// answer lists the headers the client must send, and a PUT that leaves
// If-None-Match out is refused.
func testReplay(t *testing.T, ex *Example, createOnly bool) {
	b := setup(t, ex, options{createOnly: createOnly})
	c := b.client()
	const user = "alice"
	data := pngBytes(t, 16, 16)
	p := c.presign(t, ex, user, "once.png", "image/png")
	want := map[string]string{"Content-Type": "image/png"}
	if createOnly {
		want["If-None-Match"] = "*"
	}
	if !maps.Equal(p.Headers, want) {
		t.Fatalf("presign headers = %v, want %v", p.Headers, want)
	}
	putWith := func(headers map[string]string, body []byte) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodPut, p.PresignedURL, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		st, _ := send(t, b.srv.HTTPClient(), req)
		return st
	}
	if createOnly {
		if st := putWith(map[string]string{"Content-Type": "image/png"}, data); st != http.StatusForbidden {
			t.Fatalf("PUT without If-None-Match: status %d, want 403 (the header is signed)", st)
		}
	}
	if st := putWith(p.Headers, data); st != http.StatusOK {
		t.Fatalf("PUT: status %d, want 200", st)
	}
	st, body := c.save(t, ex, user, p.ObjectKey, "")
	f := wantOK[fileResp](t, st, body).File

	st = putWith(p.Headers, pdfBytes)
	wantBytes := data
	switch {
	case createOnly && st != http.StatusPreconditionFailed:
		t.Fatalf("replayed PUT with a create-only ticket: status %d, want 412", st)
	case !createOnly && st != http.StatusOK:
		t.Fatalf("replayed PUT: status %d, want 200 (the risk create-only tickets close)", st)
	case !createOnly:
		wantBytes = pdfBytes
	}
	st, body = c.do(t, http.MethodGet, "/files/"+f.ID+"/url", user, "", nil)
	u := wantOK[urlResp](t, st, body).URL
	st, got := get(t, b.srv.HTTPClient(), u)
	if st != http.StatusOK || !bytes.Equal(got, wantBytes) {
		t.Fatalf("GET after the replay: status %d, %d bytes, want the %d bytes of the %s", st, len(got), len(wantBytes),
			map[bool]string{true: "checked upload", false: "replay"}[createOnly])
	}
}
