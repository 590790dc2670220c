package httpapi

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/memory"
)

// fakeCloud is a Cloudinary-shaped provider over the memory provider: its
// tickets are signed POSTs to /v1_1/<cloud>/<type>/upload, its clients
// report uploads by public_id, and its response signatures are checked.
type fakeCloud struct {
	*memory.Provider
}

const fakeSecret = "cloud-api-secret-never-sent"

func fakeSign(s string) string {
	m := hmac.New(sha256.New, []byte(fakeSecret))
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))
}

func (f fakeCloud) PrepareDirect(ctx context.Context, key string, opts *mediastore.DirectOptions) (*mediastore.Ticket, error) {
	ts := "1700000000"
	return &mediastore.Ticket{
		Key:    key,
		Method: http.MethodPost,
		URL:    "https://api.cloudinary.test/v1_1/demo-cloud/" + cmp.Or(opts.ResourceType, "auto") + "/upload",
		Fields: map[string]string{
			"api_key": "123456", "timestamp": ts, "public_id": key, "overwrite": "false",
			"signature": fakeSign("public_id=" + key + "&timestamp=" + ts),
		},
		FileField: "file",
		ExpiresAt: time.Now().Add(time.Hour),
	}, nil
}

func (f fakeCloud) DirectKey(proof map[string]string) (string, error) {
	if proof["public_id"] == "" {
		return "", mediastore.NewError("DirectKey", "memory", "", mediastore.ErrInvalid, errors.New("no public_id"))
	}
	return proof["public_id"], nil
}

func (f fakeCloud) VerifyDirect(ctx context.Context, key string, proof map[string]string) (*mediastore.Object, error) {
	v, sig := proof["version"], proof["signature"]
	if (v != "" || sig != "") && sig != fakeSign("public_id="+key+"&version="+v) {
		return nil, mediastore.NewError("VerifyDirect", "memory", key, mediastore.ErrForbidden, errors.New("bad signature"))
	}
	return f.Stat(ctx, key)
}

var (
	_ mediastore.DirectKeyer    = fakeCloud{}
	_ mediastore.DirectVerifier = fakeCloud{}
)

func TestCloudinaryGuide(t *testing.T) {
	t.Parallel()
	newBundle := func(t *testing.T) *testBundle {
		return setup(t, &setupOpts{wrap: func(m *memory.Provider) mediastore.Provider { return fakeCloud{m} }})
	}
	// sign runs GET /generate-signature and "uploads" the file to the
	// fake's storage, as Cloudinary would.
	sign := func(t *testing.T, b *testBundle, user, query, content string) *SignatureResponse {
		t.Helper()
		st, body := b.do(t, http.MethodGet, "/generate-signature"+query, user, "", nil)
		wantStatus(t, st, body, http.StatusOK)
		if strings.Contains(string(body), fakeSecret) {
			t.Fatalf("the response holds the secret: %s", body)
		}
		s := decode[SignatureResponse](t, body)
		if content != "" {
			if _, err := b.mem.Put(context.Background(), s.Params["public_id"], strings.NewReader(content), &mediastore.PutOptions{Size: -1}); err != nil {
				t.Fatal(err)
			}
		}
		return s
	}

	t.Run("HappyPath", func(t *testing.T) {
		t.Parallel()
		b := newBundle(t)
		s := sign(t, b, "alice", "?filename=cat.png&content_type=image/png", pngData(300))
		if s.CloudName != "demo-cloud" || s.APIKey != "123456" || s.Timestamp != 1700000000 || s.Signature == "" ||
			s.UploadURL != "https://api.cloudinary.test/v1_1/demo-cloud/image/upload" ||
			s.Params["signature"] != s.Signature || s.Params["timestamp"] != "1700000000" || s.Params["api_key"] != "123456" ||
			s.Params["overwrite"] != "false" || s.Params["public_id"] == "" {
			t.Fatalf("signature response = %+v", s)
		}
		id := s.Params["public_id"]
		// The client posts Cloudinary's whole upload response, version as a number.
		resp := `{"asset_id":"3515c6","public_id":"` + id + `","version":1719307544,"signature":"` +
			fakeSign("public_id="+id+"&version=1719307544") + `","width":1,"height":1,"format":"png","resource_type":"image",` +
			`"tags":[],"bytes":300,"secure_url":"https://evil.example/x.png","url":"http://evil.example/x.png","placeholder":false}`
		st, body := b.postJSON(t, "/save-cloudinary-metadata", "alice", resp)
		wantStatus(t, st, body, http.StatusOK)
		f := decode[FileResponse](t, body).File
		if f.Key != id || f.Size != 300 || f.ContentType != "image/png" || strings.Contains(f.URL, "evil") {
			t.Fatalf("file = %+v", f)
		}
		b.wantCounts(t, "alice", counts{ready: 1, objects: 1})
	})

	t.Run("VersionAsString", func(t *testing.T) {
		t.Parallel()
		b := newBundle(t)
		id := sign(t, b, "alice", "?content_type=image/png", pngData(30)).Params["public_id"]
		st, body := b.postJSON(t, "/save-cloudinary-metadata", "alice", map[string]string{
			"public_id": id, "version": "42", "signature": fakeSign("public_id=" + id + "&version=42"), "resource_type": "image"})
		wantStatus(t, st, body, http.StatusOK)
	})

	t.Run("Refusals", func(t *testing.T) {
		t.Parallel()
		b := newBundle(t)
		id := sign(t, b, "alice", "?content_type=image/png", pngData(30)).Params["public_id"]
		forbidden := "this upload was not issued to you, its ticket has expired, or its proof does not match"
		st, body := b.postJSON(t, "/save-cloudinary-metadata", "alice", map[string]any{"public_id": id, "version": 1, "signature": "forged"})
		wantError(t, st, body, http.StatusForbidden, forbidden)
		st, body = b.postJSON(t, "/save-cloudinary-metadata", "bob", map[string]any{"public_id": id})
		wantError(t, st, body, http.StatusForbidden, forbidden)
		st, body = b.postJSON(t, "/save-cloudinary-metadata", "alice", map[string]any{"secure_url": "https://x.example/"})
		wantError(t, st, body, http.StatusBadRequest, "public_id is required: send the public_id of Cloudinary's upload response")
		st, body = b.postJSON(t, "/save-cloudinary-metadata", "alice", map[string]any{"public_id": id, "version": true})
		wantError(t, st, body, http.StatusBadRequest, `field "version" must be a number`)
		st, body = b.postJSON(t, "/save-cloudinary-metadata", "alice", map[string]any{"public_id": 7})
		wantError(t, st, body, http.StatusBadRequest, `field "public_id" must be a string`)
		missing := sign(t, b, "alice", "?content_type=image/png", "").Params["public_id"]
		st, body = b.postJSON(t, "/save-cloudinary-metadata", "alice", map[string]any{"public_id": missing})
		wantError(t, st, body, http.StatusNotFound, confirmMissing)
		st, body = b.do(t, http.MethodGet, "/generate-signature?size=x", "alice", "", nil)
		wantError(t, st, body, http.StatusBadRequest, "size must be a positive whole number of bytes")
		b.wantCounts(t, "alice", counts{pending: 2, objects: 1})
		b.wantCounts(t, "bob", counts{objects: 1})
	})

	t.Run("TypeLimitAtSignature", func(t *testing.T) {
		t.Parallel()
		b := setup(t, &setupOpts{
			client: mediastore.Config{AllowedTypes: []string{"image/*"}},
			wrap:   func(m *memory.Provider) mediastore.Provider { return fakeCloud{m} },
		})
		// A declared type is judged at once; an undeclared one at confirm,
		// from the bytes.
		st, body := b.do(t, http.MethodGet, "/generate-signature?content_type=application/pdf", "alice", "", nil)
		wantError(t, st, body, http.StatusUnsupportedMediaType, "this type of file is not allowed (allowed: image/*)")
		st, body = b.do(t, http.MethodGet, "/generate-signature", "alice", "", nil)
		wantStatus(t, st, body, http.StatusOK)
	})

	t.Run("NotACloudinaryProvider", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil) // memory: PUT tickets
		st, body := b.do(t, http.MethodGet, "/generate-signature", "alice", "", nil)
		wantError(t, st, body, http.StatusNotFound, "this storage provider does not support this operation")
	})
}

func TestSignatureOf(t *testing.T) {
	t.Parallel()
	good := func() *mediastore.Ticket {
		return &mediastore.Ticket{Method: http.MethodPost, URL: "http://127.0.0.1:1/prefix/v1_1/my%20cloud/auto/upload",
			Fields: map[string]string{"api_key": "k", "timestamp": "12", "signature": "s", "public_id": "p"}}
	}
	s, err := signatureOf(good())
	if err != nil || s.CloudName != "my cloud" || s.Timestamp != 12 || len(s.Params) != 4 {
		t.Fatalf("signatureOf = %+v, %v", s, err)
	}
	for i, edit := range []func(*mediastore.Ticket){
		func(t *mediastore.Ticket) { t.Method = http.MethodPut },
		func(t *mediastore.Ticket) { t.URL = "http://127.0.0.1:1/upload" },
		func(t *mediastore.Ticket) { t.URL = "http://127.0.0.1:1/v1_1" },
		func(t *mediastore.Ticket) { delete(t.Fields, "signature") },
		func(t *mediastore.Ticket) { delete(t.Fields, "api_key") },
		func(t *mediastore.Ticket) { t.Fields["timestamp"] = "soon" },
	} {
		tk := good()
		edit(tk)
		if _, err := signatureOf(tk); err == nil {
			t.Errorf("case %d: no error", i)
		}
	}
}
