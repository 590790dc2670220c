package presigntest

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"
)

// pngBytes is a real PNG of w×h pixels.
func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(x * y), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pdfBytes is a small PDF (http.DetectContentType says application/pdf).
var pdfBytes = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// testGuideFlow walks the guide: presign, PUT, save-metadata, list, get,
// URL, download, delete, delete again.
func testGuideFlow(t *testing.T, ex *Example, public bool) {
	b := setup(t, ex, options{public: public})
	c := b.client()
	data := pngBytes(t, 64, 48)
	const user = "alice"

	// Presign: the guide's body, the guide's answer.
	st, body := c.post(t, ex.PresignPath, user, map[string]string{"fileName": "cat photo.png", "contentType": "image/png"})
	p := wantOK[presignJSON](t, st, body)
	if !strings.HasPrefix(p.PresignedURL, b.srv.Endpoint+"/") || !strings.Contains(p.PresignedURL, "X-Amz-Signature=") {
		t.Fatalf("presignedUrl %q is not a presigned URL of the S3 server", p.PresignedURL)
	}
	if !strings.HasSuffix(p.ObjectKey, ".png") {
		t.Errorf("objectKey %q does not keep the extension", p.ObjectKey)
	}
	wantPublic := ""
	if public {
		wantPublic = b.set.PublicBaseURL + "/" + p.ObjectKey
	}
	if p.PublicFileURL != wantPublic {
		t.Errorf("publicFileUrl = %q, want %q", p.PublicFileURL, wantPublic)
	}
	if all, _ := b.rows(t); all != 1 {
		t.Fatalf("after presign: %d rows, want the 1 pending intent", all)
	}

	// PUT with curl's headers: the declared Content-Type.
	if st, body := put(t, b.srv.HTTPClient(), p.PresignedURL, "image/png", data); st != http.StatusOK {
		t.Fatalf("PUT: status %d: %s", st, body)
	}

	// Save: the client's publicFileUrl is ignored.
	st, body = c.save(t, ex, user, p.ObjectKey, "https://attacker.example/evil.png")
	f := wantOK[fileResp](t, st, body).File
	wantFileFields(t, decode[struct {
		File json.RawMessage `json:"file"`
	}](t, body).File)
	if f.ID == "" || f.Provider != ex.Name || f.Key != p.ObjectKey || f.UserID != user ||
		f.Size != int64(len(data)) || f.ContentType != "image/png" || f.ResourceType != "image" || f.CreatedAt.IsZero() {
		t.Fatalf("saved file = %+v, want %s's %d-byte image/png %s at key %s", f, user, len(data), ex.Name, p.ObjectKey)
	}
	if strings.Contains(f.URL, "attacker") {
		t.Fatalf("the client's publicFileUrl was stored: %q", f.URL)
	}
	if public && f.URL != wantPublic {
		t.Errorf("url = %q, want the derived public URL %q", f.URL, wantPublic)
	}
	var stored string
	if err := b.pool.QueryRow(t.Context(), `SELECT url FROM "`+b.schema+`".mediastore_files WHERE id = $1`, f.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != f.URL || strings.Contains(stored, "attacker") {
		t.Fatalf("url column = %q, want the library's %q", stored, f.URL)
	}

	// List: the file, only the caller's.
	st, body = c.do(t, http.MethodGet, "/files", user, "", nil)
	l := wantOK[listResp](t, st, body)
	if len(l.Files) != 1 || l.Files[0].ID != f.ID || l.NextCursor != "" {
		t.Fatalf("list = %s, want the one file and no next_cursor", body)
	}

	// Get.
	st, body = c.do(t, http.MethodGet, "/files/"+f.ID, user, "", nil)
	if g := wantOK[fileResp](t, st, body).File; !sameFile(g, f) {
		t.Fatalf("get = %+v, want %+v", g, f)
	}

	// URL: signed for a private bucket, and it downloads the same bytes.
	st, body = c.do(t, http.MethodGet, "/files/"+f.ID+"/url", user, "", nil)
	u := wantOK[urlResp](t, st, body).URL
	if public {
		if u != wantPublic {
			t.Fatalf("url of a public file = %q, want %q", u, wantPublic)
		}
	} else {
		if !strings.Contains(u, "X-Amz-Signature=") || !strings.Contains(u, "X-Amz-Expires=") {
			t.Fatalf("url of a private file = %q, want a signed, expiring URL", u)
		}
		st, got := get(t, b.srv.HTTPClient(), u)
		if st != http.StatusOK || !bytes.Equal(got, data) {
			t.Fatalf("GET signed URL: status %d, %d bytes, want 200 and the %d bytes uploaded", st, len(got), len(data))
		}
		// The signature covers the key: another key with it is refused.
		if st, _ := get(t, b.srv.HTTPClient(), strings.Replace(u, ".png?", ".jpg?", 1)); st != http.StatusForbidden {
			t.Errorf("signed URL edited to another key: status %d, want 403", st)
		}
	}

	// Replay of save-metadata: 409, nothing written.
	st, body = c.save(t, ex, user, p.ObjectKey, p.PublicFileURL)
	wantError(t, st, body, http.StatusConflict)

	// Delete: the object, then the row; a second delete is a 404.
	st, body = c.do(t, http.MethodDelete, "/files/"+f.ID, user, "", nil)
	wantOK[struct{}](t, st, body)
	if b.exists(t, p.ObjectKey) {
		t.Fatalf("object %s still stored after delete", p.ObjectKey)
	}
	if all, _ := b.rows(t); all != 0 {
		t.Fatalf("after delete: %d rows, want 0", all)
	}
	st, body = c.do(t, http.MethodDelete, "/files/"+f.ID, user, "", nil)
	wantError(t, st, body, http.StatusNotFound)
	st, body = c.do(t, http.MethodGet, "/files/"+f.ID, user, "", nil)
	wantError(t, st, body, http.StatusNotFound)
	st, body = c.do(t, http.MethodGet, "/files/"+f.ID+"/url", user, "", nil)
	wantError(t, st, body, http.StatusNotFound)
	if !public {
		if st, _ := get(t, b.srv.HTTPClient(), u); st != http.StatusNotFound {
			t.Errorf("signed URL after delete: status %d, want 404", st)
		}
	}
}

// testIsolation has two users who cannot see, fetch, sign, confirm or
// delete each other's files.
func testIsolation(t *testing.T, ex *Example) {
	b := setup(t, ex, options{})
	c := b.client()
	s3c := b.srv.HTTPClient()
	fa := c.flow(t, ex, s3c, "alice", "a.png", "image/png", pngBytes(t, 8, 8))
	fb := c.flow(t, ex, s3c, "bob", "b.png", "image/png", pngBytes(t, 9, 9))
	// The demo identity: no X-User-ID is user_123, who sees neither.
	fd := c.flow(t, ex, s3c, "", "d.png", "image/png", pngBytes(t, 10, 10))
	if fd.UserID != "user_123" {
		t.Fatalf("a request without X-User-ID saved for %q, want user_123", fd.UserID)
	}

	for _, tc := range []struct {
		user  string
		own   fileJSON
		other fileJSON
	}{{"alice", fa, fb}, {"bob", fb, fa}, {"", fd, fa}} {
		st, body := c.do(t, http.MethodGet, "/files", tc.user, "", nil)
		l := wantOK[listResp](t, st, body)
		if len(l.Files) != 1 || l.Files[0].ID != tc.own.ID {
			t.Fatalf("%q lists %s, want only its own file %s", tc.user, body, tc.own.ID)
		}
		for _, req := range []struct{ method, path string }{
			{http.MethodGet, "/files/" + tc.other.ID},
			{http.MethodGet, "/files/" + tc.other.ID + "/url"},
			{http.MethodDelete, "/files/" + tc.other.ID},
		} {
			st, body := c.do(t, req.method, req.path, tc.user, "", nil)
			wantError(t, st, body, http.StatusNotFound)
		}
		// Another user's key, already recorded: refused, nothing written.
		st, body = c.save(t, ex, tc.user, tc.other.Key, "")
		if st != http.StatusForbidden && st != http.StatusNotFound {
			t.Fatalf("%q saving another user's key: status %d, want 403 or 404: %s", tc.user, st, body)
		}
		wantError(t, st, body, st)
	}
	// Nothing of the attempts changed anything.
	if all, ready := b.rows(t); all != 3 || ready != 3 {
		t.Fatalf("rows = %d (%d ready), want 3 ready", all, ready)
	}
	for _, f := range []fileJSON{fa, fb, fd} {
		if !b.exists(t, f.Key) {
			t.Fatalf("object %s of %s was removed by another user", f.Key, f.UserID)
		}
		st, body := c.do(t, http.MethodGet, "/files/"+f.ID, f.UserID, "", nil)
		wantOK[fileResp](t, st, body)
	}
}

// sameFile compares two FILE bodies (times by instant).
func sameFile(a, b fileJSON) bool {
	at, bt := a.CreatedAt, b.CreatedAt
	a.CreatedAt, b.CreatedAt = at.UTC(), bt.UTC()
	return a == b
}
