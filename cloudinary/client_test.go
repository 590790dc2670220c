package cloudinary

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/store/memstore"
)

// The library's flows end to end on this provider and the fake: a
// server-side upload, the guide's direct upload confirmed with the fields
// of Cloudinary's response (public_id, resource_type, version, signature),
// and delete.
func TestClientFlows(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil, nil)
	c, err := mediastore.New(p, memstore.New(), &mediastore.Config{AllowedTypes: []string{"image/*"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	img := pngOf(t, 6, 3)

	f, err := c.Upload(ctx, "user_123", bytes.NewReader(img), &mediastore.UploadOptions{Filename: "cat photo.png"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(f.Key, "image/upload/user_123/") || f.Size != int64(len(img)) || f.Width != 6 || f.ResourceType != "image" {
		t.Errorf("Upload: %+v", f)
	}
	if resp, body := get(t, b.fake.Client(), f.URL, nil); resp.StatusCode != http.StatusOK || !bytes.Equal(body, img) {
		t.Errorf("GET %s: %d", f.URL, resp.StatusCode)
	}

	tk, err := c.PrepareUpload(ctx, "user_123", &mediastore.PrepareRequest{Filename: "avatar.png", ContentType: "image/png"})
	if err != nil {
		t.Fatal(err)
	}
	status, resp := browserUpload(t, b.fake.Client(), tk, img)
	if status != http.StatusOK {
		t.Fatalf("browser upload: %d %v", status, resp)
	}
	saved := map[string]string{ // what the guide's client posts to /save-metadata
		"public_id": resp["public_id"], "secure_url": "https://evil.example/x.png", "resource_type": resp["resource_type"],
		"version": resp["version"], "signature": resp["signature"],
	}
	if _, err := c.ConfirmUpload(ctx, "someone_else", &mediastore.ConfirmRequest{Proof: saved}); !errors.Is(err, mediastore.ErrForbidden) {
		t.Errorf("confirm by another owner: %v", err)
	}
	forged := map[string]string{"public_id": saved["public_id"], "resource_type": "image", "version": saved["version"], "signature": strings.Repeat("0", 40)}
	if _, err := c.ConfirmUpload(ctx, "user_123", &mediastore.ConfirmRequest{Proof: forged}); !errors.Is(err, mediastore.ErrForbidden) {
		t.Errorf("confirm with a forged signature: %v", err)
	}
	df, err := c.ConfirmUpload(ctx, "user_123", &mediastore.ConfirmRequest{Proof: saved})
	if err != nil {
		t.Fatal(err)
	}
	if df.Key != "image/upload/"+resp["public_id"] || df.Status != mediastore.StatusReady || df.Size != int64(len(img)) || df.ContentType != "image/png" ||
		df.Height != 3 || !strings.HasPrefix(df.URL, b.fake.URL) {
		t.Errorf("ConfirmUpload: %+v", df)
	}

	// A direct upload never made is not confirmed.
	tk2, err := c.PrepareUpload(ctx, "user_123", &mediastore.PrepareRequest{Filename: "later.png", ContentType: "image/png"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ConfirmUpload(ctx, "user_123", &mediastore.ConfirmRequest{Key: tk2.Key}); !errors.Is(err, mediastore.ErrNotFound) {
		t.Errorf("confirm of a ticket never used: %v", err)
	}

	for _, file := range []*mediastore.File{f, df} {
		if err := c.Delete(ctx, "user_123", file.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := b.fake.Len(); n != 0 {
		t.Errorf("%d assets left after the deletes", n)
	}
}

// The Cloudinary guide's flow through the Client: a signature prepared
// without a declared type (GET /generate-signature with no parameters),
// the browser's multipart POST with the ticket's fields, then
// save-metadata with the fields of Cloudinary's response. The row is found
// from public_id alone and recorded with Cloudinary's key and values; a
// replay is a conflict when asked, else the same file.
func TestClientGuideFlowUndeclaredType(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil, nil)
	c, err := mediastore.New(p, memstore.New(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, tc := range []struct {
		name, rtype, ctype string
		data               []byte
		width              int
	}{
		{"Image", "image", "image/png", pngOf(t, 7, 2), 7},
		{"Raw", "raw", "text/plain; charset=utf-8", []byte("plain words, not an image\n"), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk, err := c.PrepareUpload(ctx, "user_123", nil)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(tk.Key, "auto/upload/user_123/") || !strings.HasSuffix(tk.URL, "/fakecloud/auto/upload") {
				t.Fatalf("ticket without a type: key %q url %q", tk.Key, tk.URL)
			}
			status, resp := browserUpload(t, b.fake.Client(), tk, tc.data)
			if status != http.StatusOK || resp["resource_type"] != tc.rtype {
				t.Fatalf("browser upload: %d %v", status, resp)
			}
			saved := map[string]string{ // what the guide's client posts to /save-metadata
				"public_id": resp["public_id"], "resource_type": resp["resource_type"],
				"version": resp["version"], "signature": resp["signature"],
			}
			if _, err := c.ConfirmUpload(ctx, "someone_else", &mediastore.ConfirmRequest{Proof: saved, RejectRecorded: true}); !errors.Is(err, mediastore.ErrForbidden) {
				t.Errorf("confirm by another owner: %v", err)
			}
			f, err := c.ConfirmUpload(ctx, "user_123", &mediastore.ConfirmRequest{Proof: saved, RejectRecorded: true})
			if err != nil {
				t.Fatal(err)
			}
			wantKey := tc.rtype + "/upload/" + resp["public_id"]
			if f.Key != wantKey || f.Status != mediastore.StatusReady || f.ResourceType != tc.rtype || f.ContentType != tc.ctype ||
				f.Size != int64(len(tc.data)) || f.Width != tc.width || f.URL != resp["secure_url"] ||
				jsonOf(f.Extra["version"]) != resp["version"] {
				t.Errorf("confirmed file %+v, want key %s and Cloudinary's values %v", f, wantKey, resp)
			}
			if g, err := c.Get(ctx, "user_123", f.ID); err != nil || g.Key != wantKey || g.Status != mediastore.StatusReady {
				t.Errorf("Get: %+v %v", g, err)
			}
			if _, err := c.ConfirmUpload(ctx, "user_123", &mediastore.ConfirmRequest{Proof: saved, RejectRecorded: true}); !errors.Is(err, mediastore.ErrConflict) {
				t.Errorf("second save-metadata: %v, want ErrConflict", err)
			}
			again, err := c.ConfirmUpload(ctx, "user_123", &mediastore.ConfirmRequest{Proof: saved})
			if err != nil || again.ID != f.ID || again.Key != wantKey {
				t.Errorf("second confirm without RejectRecorded: %+v %v, want file %s", again, err, f.ID)
			}
			if _, err := c.ConfirmUpload(ctx, "someone_else", &mediastore.ConfirmRequest{Proof: saved}); !errors.Is(err, mediastore.ErrForbidden) {
				t.Errorf("confirm of a recorded file by another owner: %v", err)
			}
			if err := c.Delete(ctx, "user_123", f.ID); err != nil {
				t.Fatal(err)
			}
			if _, ok := b.fake.Asset(tc.rtype, "upload", resp["public_id"]); ok {
				t.Error("the asset outlived Delete")
			}
		})
	}
}

// jsonOf is v as JSON text: a stored number reads the same whether the
// store kept an int64 or a float64.
func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
