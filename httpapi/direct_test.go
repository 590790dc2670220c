package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/memory"
)

// presign runs the R2 guide's first step as user.
func (b *testBundle) presign(t *testing.T, user string, req any) *PresignResponse {
	t.Helper()
	st, body := b.postJSON(t, "/presign-upload", user, req)
	wantStatus(t, st, body, http.StatusOK)
	return decode[PresignResponse](t, body)
}

// putPresigned PUTs content to a presigned URL as the guide's client does.
func (b *testBundle) putPresigned(t *testing.T, u, ctype, content string) {
	t.Helper()
	tk := &mediastore.Ticket{Method: http.MethodPut, URL: u, Headers: http.Header{"Content-Type": {ctype}}}
	if st := b.putTicket(t, tk, content); st/100 != 2 {
		t.Fatalf("PUT to the presigned URL = %d", st)
	}
}

func TestDirectGeneric(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	content := pngData(4321)
	st, body := b.postJSON(t, "/uploads", "alice", map[string]any{"filename": "d.png", "content_type": "image/png", "size": 4321})
	wantStatus(t, st, body, http.StatusOK)
	tk := decode[TicketResponse](t, body).Ticket
	if tk.Key == "" || tk.Method != http.MethodPut || tk.URL == "" || tk.ExpiresAt.IsZero() {
		t.Fatalf("ticket = %+v", tk)
	}
	b.wantCounts(t, "alice", counts{pending: 1})
	if st := b.putTicket(t, tk, content); st/100 != 2 {
		t.Fatalf("PUT ticket = %d", st)
	}

	st, body = b.postJSON(t, "/uploads/confirm", "alice", map[string]any{"key": tk.Key})
	wantStatus(t, st, body, http.StatusOK)
	f := decode[FileResponse](t, body).File
	if f.Key != tk.Key || f.Size != 4321 || f.ContentType != "image/png" || f.Status != mediastore.StatusReady || f.Filename != "d.png" {
		t.Fatalf("file = %+v", f)
	}
	// Confirming again returns the same file and writes nothing.
	st, body = b.postJSON(t, "/uploads/confirm", "alice", map[string]any{"key": tk.Key})
	wantStatus(t, st, body, http.StatusOK)
	if again := decode[FileResponse](t, body).File; again.ID != f.ID {
		t.Fatalf("second confirm gave %s, want %s", again.ID, f.ID)
	}
	b.wantCounts(t, "alice", counts{ready: 1, objects: 1})

	st, body = b.postJSON(t, "/uploads", "alice", map[string]any{"sha256": "XYZ"})
	wantError(t, st, body, http.StatusBadRequest, prepareInvalid)
	st, body = b.postJSON(t, "/uploads", "alice", map[string]any{"size": -3})
	wantError(t, st, body, http.StatusBadRequest, prepareInvalid)
	st, body = b.postJSON(t, "/uploads/confirm", "alice", map[string]any{})
	wantError(t, st, body, http.StatusBadRequest, "key is required: send the key of the ticket")
}

func TestDirectRoutesNeedTheCapability(t *testing.T) {
	t.Parallel()
	b := setup(t, &setupOpts{wrap: func(m *memory.Provider) mediastore.Provider {
		return &putObserver{Provider: m, put: m.Put} // hides DirectUploader
	}})
	for _, path := range []string{"/uploads", "/uploads/confirm"} {
		st, body := b.postJSON(t, path, "alice", `{}`)
		wantError(t, st, body, http.StatusNotFound, "no such endpoint")
	}
	// Mounted by hand, the guide-shaped handler answers the Client's ErrUnsupported.
	st, body := b.postJSON(t, "/presign-upload", "alice", map[string]string{"fileName": "a.png", "contentType": "image/png"})
	wantError(t, st, body, http.StatusNotFound, "this storage provider does not support this operation")
	// The rest of the API works.
	b.uploadFile(t, "alice", "a.png", pngData(10))
}

func TestR2Guide(t *testing.T) {
	t.Parallel()

	t.Run("PrivateBucket", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		content := pngData(999)
		p := b.presign(t, "alice", map[string]string{"fileName": "guide.png", "contentType": "image/png"})
		if p.PresignedURL == "" || p.ObjectKey == "" || p.PublicFileURL != "" {
			t.Fatalf("presign = %+v, want a URL, a key and no public URL", p)
		}
		b.putPresigned(t, p.PresignedURL, "image/png", content)
		st, body := b.postJSON(t, "/save-metadata", "alice", map[string]string{"objectKey": p.ObjectKey, "publicFileUrl": "https://evil.example/x.png"})
		wantStatus(t, st, body, http.StatusOK)
		f := decode[FileResponse](t, body).File
		if f.Key != p.ObjectKey || f.Size != 999 || f.ContentType != "image/png" || strings.Contains(f.URL, "evil") {
			t.Fatalf("file = %+v", f)
		}
		st, body = b.do(t, http.MethodGet, "/files/"+f.ID+"/url", "alice", "", nil)
		wantStatus(t, st, body, http.StatusOK)
		u := decode[URLResponse](t, body).URL
		if gst, got := b.fetch(t, u); gst != http.StatusOK || string(got) != content || strings.Contains(u, "evil") {
			t.Fatalf("GET %s = %d", u, gst)
		}
	})

	t.Run("PublicBucket", func(t *testing.T) {
		t.Parallel()
		b := setup(t, &setupOpts{public: true})
		for range 2 { // the second presign uses the remembered answer
			p := b.presign(t, "alice", map[string]any{"fileName": "pub.png", "contentType": "image/png", "size": 50})
			if p.PublicFileURL != b.objs.URL+"/"+p.ObjectKey {
				t.Fatalf("publicFileUrl = %q, want the public URL of %q", p.PublicFileURL, p.ObjectKey)
			}
			b.putPresigned(t, p.PresignedURL, "image/png", pngData(50))
			st, body := b.postJSON(t, "/save-metadata", "alice", map[string]string{"objectKey": p.ObjectKey, "publicFileUrl": "https://evil.example/"})
			wantStatus(t, st, body, http.StatusOK)
			if f := decode[FileResponse](t, body).File; f.URL != p.PublicFileURL {
				t.Fatalf("recorded URL = %q, want %q", f.URL, p.PublicFileURL)
			}
		}
	})

	t.Run("PresignNeedsNameAndType", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		for _, req := range []string{`{}`, `{"fileName":"a.png"}`, `{"contentType":"image/png"}`, `{"fileName":"","contentType":"image/png"}`} {
			st, body := b.postJSON(t, "/presign-upload", "alice", req)
			wantError(t, st, body, http.StatusBadRequest, "fileName and contentType are required")
		}
		st, body := b.postJSON(t, "/presign-upload", "alice", `{"fileName":"a.png","contentType":"not a type"}`)
		wantError(t, st, body, http.StatusBadRequest, prepareInvalid)
		b.wantCounts(t, "alice", counts{})
	})

	t.Run("PresignRefusesADeclaredTypeOrSize", func(t *testing.T) {
		t.Parallel()
		b := setup(t, &setupOpts{client: mediastore.Config{MaxSize: 1 << 20, AllowedTypes: []string{"image/*"}}})
		st, body := b.postJSON(t, "/presign-upload", "alice", `{"fileName":"a.exe","contentType":"application/x-msdownload"}`)
		wantError(t, st, body, http.StatusUnsupportedMediaType, "this type of file is not allowed (allowed: image/*)")
		st, body = b.postJSON(t, "/presign-upload", "alice", `{"fileName":"a.png","contentType":"image/png","size":2097152}`)
		wantError(t, st, body, http.StatusRequestEntityTooLarge, "file is larger than the 1 MB limit")
		b.wantCounts(t, "alice", counts{})
	})
}

// TestSaveMetadataRefuses walks the contract's "must refuse" list.
func TestSaveMetadataRefuses(t *testing.T) {
	t.Parallel()

	t.Run("KeyNotIssuedToThisUser", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		p := b.presign(t, "alice", map[string]string{"fileName": "a.png", "contentType": "image/png"})
		b.putPresigned(t, p.PresignedURL, "image/png", pngData(100))
		for _, key := range []string{p.ObjectKey, "u/bob/made-up.png", "alice/../bob/x.png"} {
			st, body := b.postJSON(t, "/save-metadata", "bob", map[string]string{"objectKey": key})
			wantError(t, st, body, http.StatusForbidden, "this upload was not issued to you, its ticket has expired, or its proof does not match")
		}
		b.wantCounts(t, "bob", counts{objects: 1})
		b.wantCounts(t, "alice", counts{pending: 1, objects: 1})
		// Alice still can.
		st, body := b.postJSON(t, "/save-metadata", "alice", map[string]string{"objectKey": p.ObjectKey})
		wantStatus(t, st, body, http.StatusOK)
	})

	t.Run("KeyOfAServerSideUpload", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		up := b.uploadFile(t, "alice", "a.png", pngData(100)).File
		st, body := b.postJSON(t, "/save-metadata", "bob", map[string]string{"objectKey": up.Key})
		wantStatus(t, st, body, http.StatusForbidden)
		// Its owner is told it is already recorded; nothing is written.
		st, body = b.postJSON(t, "/save-metadata", "alice", map[string]string{"objectKey": up.Key})
		wantError(t, st, body, http.StatusConflict, confirmReplay)
		b.wantCounts(t, "alice", counts{ready: 1, objects: 1})
	})

	t.Run("ObjectNotAtTheProvider", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		p := b.presign(t, "alice", map[string]string{"fileName": "a.png", "contentType": "image/png"})
		st, body := b.postJSON(t, "/save-metadata", "alice", map[string]string{"objectKey": p.ObjectKey})
		wantError(t, st, body, http.StatusNotFound, confirmMissing)
		b.wantCounts(t, "alice", counts{pending: 1})

		// Uploaded, then deleted before the confirm.
		b.putPresigned(t, p.PresignedURL, "image/png", pngData(100))
		if err := b.mem.Delete(context.Background(), p.ObjectKey); err != nil {
			t.Fatal(err)
		}
		st, body = b.postJSON(t, "/save-metadata", "alice", map[string]string{"objectKey": p.ObjectKey})
		wantError(t, st, body, http.StatusNotFound, confirmMissing)
		b.wantCounts(t, "alice", counts{pending: 1})
	})

	t.Run("TooLargeFromTheProvidersReport", func(t *testing.T) {
		t.Parallel()
		b := setup(t, &setupOpts{client: mediastore.Config{MaxSize: 1000}})
		p := b.presign(t, "alice", map[string]string{"fileName": "a.png", "contentType": "image/png"})
		// The ticket would refuse it; write past it, as a client with
		// other credentials or a provider without length signing could.
		if _, err := b.mem.Put(context.Background(), p.ObjectKey, strings.NewReader(pngData(5000)), &mediastore.PutOptions{Size: 5000, ContentType: "image/png"}); err != nil {
			t.Fatal(err)
		}
		st, body := b.postJSON(t, "/save-metadata", "alice", map[string]string{"objectKey": p.ObjectKey})
		wantError(t, st, body, http.StatusRequestEntityTooLarge, "file is larger than the 1000 bytes limit")
		b.wantCounts(t, "alice", counts{})
	})

	t.Run("TypeJudgedFromTheBytes", func(t *testing.T) {
		t.Parallel()
		b := setup(t, &setupOpts{client: mediastore.Config{AllowedTypes: []string{"image/png"}}})
		p := b.presign(t, "alice", map[string]string{"fileName": "a.png", "contentType": "image/png"})
		b.putPresigned(t, p.PresignedURL, "image/png", "<html><script>alert(1)</script></html>")
		st, body := b.postJSON(t, "/save-metadata", "alice", map[string]string{"objectKey": p.ObjectKey})
		wantError(t, st, body, http.StatusUnsupportedMediaType, "this type of file is not allowed (allowed: image/png)")
		b.wantCounts(t, "alice", counts{})
	})

	t.Run("SizeDiffersFromTheDeclaredOne", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		p := b.presign(t, "alice", map[string]any{"fileName": "a.png", "contentType": "image/png", "size": 100})
		if _, err := b.mem.Put(context.Background(), p.ObjectKey, strings.NewReader(pngData(200)), &mediastore.PutOptions{Size: 200}); err != nil {
			t.Fatal(err)
		}
		st, body := b.postJSON(t, "/save-metadata", "alice", map[string]string{"objectKey": p.ObjectKey})
		wantError(t, st, body, http.StatusBadRequest, confirmInvalid)
		b.wantCounts(t, "alice", counts{})
	})

	t.Run("MissingKey", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		st, body := b.postJSON(t, "/save-metadata", "alice", `{"publicFileUrl":"https://x.example/"}`)
		wantError(t, st, body, http.StatusBadRequest, "objectKey is required: send the objectKey of the presign response")
	})
}

func TestJSONBodies(t *testing.T) {
	t.Parallel()
	b := setup(t, &setupOpts{config: func(c *Config) { c.MaxJSONBytes = 1 << 10 }})
	cases := []struct {
		name, body string
		status     int
		sentence   string
	}{
		{"Empty", ``, 400, "the request body is empty: send a JSON object"},
		{"Malformed", `{"objectKey":`, 400, "the request body is not valid JSON"},
		{"Syntax", `{"objectKey" "x"}`, 400, "the request body is not valid JSON"},
		{"NotAnObject", `["x"]`, 400, "the request body must be a JSON object"},
		{"String", `"x"`, 400, "the request body must be a JSON object"},
		{"WrongType", `{"objectKey":5}`, 400, `field "objectKey" must be a string`},
		{"Unknown", `{"objectKey":"k","extra":true}`, 400, `the request body has an unknown field "extra"`},
		{"Two", `{"objectKey":"k"}{"objectKey":"k"}`, 400, "the request body must hold a single JSON object"},
		{"Trailing", `{"objectKey":"k"} x`, 400, "the request body must hold a single JSON object"},
		{"Null", `null`, 400, "objectKey is required: send the objectKey of the presign response"},
		{"TooLarge", `{"objectKey":"` + strings.Repeat("k", 2<<10) + `"}`, 413, "the request body is larger than the 1 KB limit"},
		{"TooLargeAfter", `{"objectKey":"k"}` + strings.Repeat(" ", 2<<10), 413, "the request body is larger than the 1 KB limit"},
	}
	for _, c := range cases {
		st, body := b.postJSON(t, "/save-metadata", "alice", c.body)
		if st != c.status {
			t.Errorf("%s: status %d, want %d (%s)", c.name, st, c.status, body)
			continue
		}
		if e := decode[ErrorResponse](t, body); e.Success || e.Error != c.sentence {
			t.Errorf("%s: error %q, want %q", c.name, e.Error, c.sentence)
		}
	}
	long := `{"` + strings.Repeat("u", 200) + `":1}`
	st, body := b.postJSON(t, "/save-metadata", "alice", long)
	wantStatus(t, st, body, http.StatusBadRequest)
	if e := decode[ErrorResponse](t, body); len(e.Error) > 120 {
		t.Errorf("unknown-field sentence not bounded: %q", e.Error)
	}
	st, body = b.postJSON(t, "/uploads", "alice", `{"size":1.5}`)
	wantError(t, st, body, http.StatusBadRequest, `field "size" must be a whole number`)
	st, body = b.postJSON(t, "/uploads/confirm", "alice", `{"key":"k","proof":{"a":1}}`)
	wantError(t, st, body, http.StatusBadRequest, `field "proof" must be a string`)

	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/jsonx"} {
		st, body := b.do(t, http.MethodPost, "/save-metadata", "alice", ct, strings.NewReader(`{"objectKey":"k"}`))
		wantError(t, st, body, http.StatusUnsupportedMediaType, "the request body must be JSON sent with Content-Type: application/json")
	}
	st, body = b.do(t, http.MethodPost, "/save-metadata", "alice", "application/json; charset=utf-8", strings.NewReader(`{"objectKey":"k"}`))
	wantStatus(t, st, body, http.StatusForbidden) // parsed; the key was never issued
}

func TestErrorTable(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	secret := errors.New("password=hunter2 at db.internal:5432")
	cases := []struct {
		err    error
		status int
	}{
		{mediastore.NewError("Op", "p", "k", mediastore.ErrInvalid, secret), 400},
		{mediastore.NewError("Op", "p", "k", mediastore.ErrForbidden, secret), 403},
		{mediastore.NewError("Op", "p", "k", mediastore.ErrNotFound, secret), 404},
		{mediastore.NewError("Op", "p", "k", mediastore.ErrUnsupported, secret), 404},
		{mediastore.NewError("Op", "p", "k", mediastore.ErrConflict, secret), 409},
		{mediastore.NewError("Op", "p", "k", mediastore.ErrTooLarge, secret), 413},
		{&http.MaxBytesError{Limit: 10}, 413},
		{mediastore.NewError("Op", "p", "k", mediastore.ErrTypeNotAllowed, secret), 415},
		{mediastore.NewError("Op", "p", "k", mediastore.ErrProvider, secret), 502},
		{mediastore.NewError("Op", "p", "k", mediastore.ErrStore, secret), 500},
		{secret, 500},
		{context.Canceled, 500},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		e := b.h.resolve(c.err)
		if e.status != c.status {
			t.Errorf("%v: status %d, want %d", c.err, e.status, c.status)
		}
		if e.msg == "" || strings.Contains(e.msg, "hunter2") || strings.Contains(e.msg, "mediastore:") {
			t.Errorf("%v: sentence %q", c.err, e.msg)
		}
		if c.status != 404 && seen[e.msg] && c.err != secret && c.err != context.Canceled {
			t.Errorf("sentence %q is used for two kinds", e.msg)
		}
		seen[e.msg] = true
	}
}
