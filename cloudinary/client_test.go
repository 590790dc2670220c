package cloudinary

import (
	"bytes"
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
	if df.Key != tk.Key || df.Status != mediastore.StatusReady || df.Size != int64(len(img)) || df.ContentType != "image/png" ||
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
