package presigntest

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"

	"github.com/mediastore/mediastore/examples/internal/app"
)

// status returns the status of key's row, or "" when there is none.
func (b *bundle) status(t testing.TB, key string) string {
	t.Helper()
	var s string
	err := b.pool.QueryRow(context.Background(),
		`SELECT status FROM "`+b.schema+`".mediastore_files WHERE key = $1`, key).Scan(&s)
	if errors.Is(err, pgx.ErrNoRows) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// wantNotReady checks that save-metadata wrote nothing for key: no ready
// row, and the owner's listing stays as it was.
func (b *bundle) wantNotReady(t testing.TB, key string) {
	t.Helper()
	if s := b.status(t, key); s == "ready" {
		t.Fatalf("key %s was recorded ready", key)
	}
}

// testRefusals sends every bad input of the contract's "must refuse" list.
func testRefusals(t *testing.T, ex *Example) {
	t.Run("Default", func(t *testing.T) { t.Parallel(); testRefusalsDefault(t, ex) })
	t.Run("Limits", func(t *testing.T) { t.Parallel(); testRefusalsLimits(t, ex) })
}

func testRefusalsDefault(t *testing.T, ex *Example) {
	b := setup(t, ex, options{})
	c := b.client()
	s3c := b.srv.HTTPClient()
	data := pngBytes(t, 16, 16)

	t.Run("KeyNotIssued", func(t *testing.T) {
		// Even with an object really at that key (put there behind the
		// server's back), a key the server never issued is refused.
		key := "uploads/alice/forged.png"
		if _, err := b.srv.S3Client().PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String(b.bucket), Key: aws.String(key), Body: bytes.NewReader(data), ContentType: aws.String("image/png"),
		}); err != nil {
			t.Fatal(err)
		}
		before, _ := b.rows(t)
		for _, k := range []string{key, "no/such/key.png", strings.Repeat("k", 2000)} {
			st, body := c.save(t, ex, "alice", k, "https://media.example.test/"+k)
			if st != http.StatusForbidden && st != http.StatusBadRequest {
				t.Fatalf("save of key %.40q not issued: status %d, want 403: %s", k, st, body)
			}
			wantError(t, st, body, st)
		}
		if after, _ := b.rows(t); after != before {
			t.Fatalf("rows %d -> %d: a refused save wrote a row", before, after)
		}
	})

	t.Run("KeyOfAnotherUser", func(t *testing.T) {
		p := c.presign(t, ex, "alice", "a.png", "image/png")
		if st, body := put(t, s3c, p.PresignedURL, "image/png", data); st != http.StatusOK {
			t.Fatalf("PUT: %d %s", st, body)
		}
		st, body := c.save(t, ex, "mallory", p.ObjectKey, "")
		wantError(t, st, body, http.StatusForbidden)
		if s := b.status(t, p.ObjectKey); s != "pending" {
			t.Fatalf("alice's intent is %q after mallory's save, want pending", s)
		}
		if !b.exists(t, p.ObjectKey) {
			t.Fatal("mallory's save removed alice's object")
		}
		st, body = c.do(t, http.MethodGet, "/files", "mallory", "", nil)
		if l := wantOK[listResp](t, st, body); len(l.Files) != 0 {
			t.Fatalf("mallory lists %s", body)
		}
		// Alice still confirms her own upload.
		st, body = c.save(t, ex, "alice", p.ObjectKey, "")
		if f := wantOK[fileResp](t, st, body).File; f.UserID != "alice" {
			t.Fatalf("saved for %q, want alice", f.UserID)
		}
	})

	t.Run("AlreadyRecorded", func(t *testing.T) {
		f := c.flow(t, ex, s3c, "alice", "r.png", "image/png", data)
		before, _ := b.rows(t)
		st, body := c.save(t, ex, "alice", f.Key, "")
		wantError(t, st, body, http.StatusConflict)
		if after, _ := b.rows(t); after != before {
			t.Fatalf("rows %d -> %d after a replay", before, after)
		}
		st, body = c.do(t, http.MethodGet, "/files/"+f.ID, "alice", "", nil)
		if g := wantOK[fileResp](t, st, body).File; !sameFile(g, f) {
			t.Fatalf("replay changed the file: %+v, was %+v", g, f)
		}
	})

	t.Run("NeverUploaded", func(t *testing.T) {
		p := c.presign(t, ex, "alice", "never.png", "image/png")
		st, body := c.save(t, ex, "alice", p.ObjectKey, p.PublicFileURL)
		wantError(t, st, body, http.StatusNotFound)
		b.wantNotReady(t, p.ObjectKey)
		// Once uploaded, the same ticket confirms.
		if st, body := put(t, s3c, p.PresignedURL, "image/png", data); st != http.StatusOK {
			t.Fatalf("PUT: %d %s", st, body)
		}
		st, body = c.save(t, ex, "alice", p.ObjectKey, p.PublicFileURL)
		wantOK[fileResp](t, st, body)
	})

	t.Run("ObjectDeleted", func(t *testing.T) {
		p := c.presign(t, ex, "alice", "gone.png", "image/png")
		if st, body := put(t, s3c, p.PresignedURL, "image/png", data); st != http.StatusOK {
			t.Fatalf("PUT: %d %s", st, body)
		}
		if _, err := b.srv.S3Client().DeleteObject(context.Background(), &s3.DeleteObjectInput{
			Bucket: aws.String(b.bucket), Key: aws.String(p.ObjectKey)}); err != nil {
			t.Fatal(err)
		}
		st, body := c.save(t, ex, "alice", p.ObjectKey, p.PublicFileURL)
		wantError(t, st, body, http.StatusNotFound)
		b.wantNotReady(t, p.ObjectKey)
	})

	t.Run("SignedHeaders", func(t *testing.T) {
		// The presigned URL binds the declared type, and the declared size
		// when sent: the S3 server refuses anything else.
		p := c.presign(t, ex, "alice", "typed.png", "image/png")
		if st, _ := put(t, s3c, p.PresignedURL, "text/html", data); st != http.StatusForbidden {
			t.Fatalf("PUT with another Content-Type than signed: status %d, want 403", st)
		}
		st, body := c.post(t, ex.PresignPath, "alice", map[string]any{"fileName": "sized.png", "contentType": "image/png", "size": len(data)})
		ps := wantOK[presignJSON](t, st, body)
		if st, _ := put(t, s3c, ps.PresignedURL, "image/png", data[:len(data)-1]); st != http.StatusForbidden {
			t.Fatalf("PUT of another length than signed: status %d, want 403", st)
		}
		for _, key := range []string{p.ObjectKey, ps.ObjectKey} {
			if b.exists(t, key) {
				t.Fatalf("a refused PUT stored %s", key)
			}
			st, body := c.save(t, ex, "alice", key, "")
			wantError(t, st, body, http.StatusNotFound)
			b.wantNotReady(t, key)
		}
	})

	t.Run("BadRequests", func(t *testing.T) {
		for _, tc := range []struct {
			path, body string
			want       int
		}{
			{ex.PresignPath, `{"contentType": "image/png"}`, http.StatusBadRequest},
			{ex.PresignPath, `{"fileName": "a.png"}`, http.StatusBadRequest},
			{ex.PresignPath, `{"fileName": "a.png", "contentType": "not a type"}`, http.StatusBadRequest},
			{ex.PresignPath, `{"fileName": "a.png", "contentType": "image/png", "size": -1}`, http.StatusBadRequest},
			{ex.PresignPath, `{"fileName": `, http.StatusBadRequest},
			{ex.SavePath, `{}`, http.StatusBadRequest},
			{ex.SavePath, `{"objectKey": 7}`, http.StatusBadRequest},
			{ex.SavePath, `{"objectKey": "a", "sneaky": true}`, http.StatusBadRequest},
			{ex.SavePath, `[]`, http.StatusBadRequest},
		} {
			before, _ := b.rows(t)
			st, body := c.post(t, tc.path, "alice", tc.body)
			if st != tc.want {
				t.Errorf("POST %s %s: status %d, want %d: %s", tc.path, tc.body, st, tc.want, body)
				continue
			}
			wantError(t, st, body, tc.want)
			if after, _ := b.rows(t); after != before {
				t.Errorf("POST %s %s wrote a row", tc.path, tc.body)
			}
		}
		st, body := c.do(t, http.MethodPost, ex.SavePath, "alice", "text/plain", strings.NewReader(`{"objectKey":"a"}`))
		wantError(t, st, body, http.StatusUnsupportedMediaType)
		st, body = c.do(t, http.MethodGet, ex.SavePath, "alice", "", nil)
		wantError(t, st, body, http.StatusMethodNotAllowed)
	})
}

func testRefusalsLimits(t *testing.T, ex *Example) {
	const max = 4096
	b := setup(t, ex, options{common: app.Common{MaxSize: max, AllowedTypes: []string{"image/*"}}})
	c := b.client()
	s3c := b.srv.HTTPClient()

	// uploaded presigns as ctype and PUTs data, which S3 accepts.
	uploaded := func(t *testing.T, name, ctype string, data []byte) presignJSON {
		t.Helper()
		p := c.presign(t, ex, "alice", name, ctype)
		if st, body := put(t, s3c, p.PresignedURL, ctype, data); st != http.StatusOK {
			t.Fatalf("PUT: %d %s", st, body)
		}
		return p
	}
	// refused saves p's key, wants status, and the object removed.
	refused := func(t *testing.T, p presignJSON, want int) {
		t.Helper()
		st, body := c.save(t, ex, "alice", p.ObjectKey, p.PublicFileURL)
		wantError(t, st, body, want)
		b.wantNotReady(t, p.ObjectKey)
		if b.exists(t, p.ObjectKey) {
			t.Fatalf("the refused object %s is still stored", p.ObjectKey)
		}
		st, body = c.do(t, http.MethodGet, "/files", "alice", "", nil)
		for _, f := range wantOK[listResp](t, st, body).Files {
			if f.Key == p.ObjectKey {
				t.Fatalf("the refused file is listed: %s", body)
			}
		}
	}

	t.Run("DeclaredTooLarge", func(t *testing.T) {
		st, body := c.post(t, ex.PresignPath, "alice", map[string]any{"fileName": "big.png", "contentType": "image/png", "size": max + 1})
		wantError(t, st, body, http.StatusRequestEntityTooLarge)
	})
	t.Run("DeclaredTypeNotAllowed", func(t *testing.T) {
		st, body := c.post(t, ex.PresignPath, "alice", map[string]any{"fileName": "doc.pdf", "contentType": "application/pdf"})
		wantError(t, st, body, http.StatusUnsupportedMediaType)
	})
	t.Run("UploadedTooLarge", func(t *testing.T) {
		// No size declared: S3 takes any length; the confirm judges what
		// S3 reports and removes the object.
		big := append(pngBytes(t, 8, 8), bytes.Repeat([]byte{0}, max)...)
		refused(t, uploaded(t, "big.png", "image/png", big), http.StatusRequestEntityTooLarge)
	})
	t.Run("SniffedTypeNotAllowed", func(t *testing.T) {
		// Declared image/png and PUT with Content-Type image/png (as the
		// signature demands), but the bytes are a PDF.
		refused(t, uploaded(t, "fake.png", "image/png", pdfBytes), http.StatusUnsupportedMediaType)
		refused(t, uploaded(t, "text.png", "image/png", []byte("just some text, not an image\n")), http.StatusUnsupportedMediaType)
	})
	t.Run("Empty", func(t *testing.T) {
		refused(t, uploaded(t, "empty.png", "image/png", nil), http.StatusBadRequest)
	})
	t.Run("WithinLimits", func(t *testing.T) {
		data := pngBytes(t, 4, 4)
		if len(data) > max {
			t.Fatalf("test PNG of %d bytes exceeds %d", len(data), max)
		}
		p := uploaded(t, "ok.png", "image/png", data)
		st, body := c.save(t, ex, "alice", p.ObjectKey, "")
		if f := wantOK[fileResp](t, st, body).File; f.Size != int64(len(data)) || f.ContentType != "image/png" {
			t.Fatalf("saved %+v", f)
		}
	})
}
