package r2_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/tests3"
	"github.com/mediastore/mediastore/provider/providertest"
	"github.com/mediastore/mediastore/provider/s3compat"
	"github.com/mediastore/mediastore/r2"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(tests3.StopAfter(m))
}

// setup returns an R2 provider whose endpoint is the local server, over
// TLS as R2 is, signing with region auto.
func setup(t *testing.T) (*s3compat.Provider, *tests3.Server) {
	t.Helper()
	ctx := context.Background()
	srv := tests3.Start(ctx, t, &tests3.Options{TLS: true, Region: r2.Region})
	p, err := r2.New(r2.Config{
		AccountID:       "0123456789abcdef0123456789abcdef",
		Endpoint:        srv.Endpoint,
		AccessKeyID:     srv.AccessKey,
		SecretAccessKey: srv.SecretKey,
		Bucket:          srv.NewBucket(ctx, t),
		UsePathStyle:    true,
		HTTPClient:      srv.HTTPClient(),
	})
	if err != nil {
		t.Fatalf("r2.New: %v", err)
	}
	return p, srv
}

type harness struct{ srv *tests3.Server }

func (h *harness) MakeProvider(ctx context.Context, t *testing.T) mediastore.Provider {
	p, srv := setup(t)
	h.srv = srv
	return p
}

func (h *harness) HTTPClient() *http.Client { return h.srv.HTTPClient() }

func (h *harness) Options() providertest.Options {
	return providertest.Options{VerifiesSignedURLs: true, EnforcesDirect: true}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	providertest.Run(t, func(t *testing.T) providertest.Harness { return &harness{} })
}

// TestGuideFlow runs the R2 guide's flow on the provider: presign a PUT,
// upload as a browser would, verify with HEAD and a ranged read, download
// through a presigned GET, delete.
func TestGuideFlow(t *testing.T) {
	t.Parallel()
	p, srv := setup(t)
	ctx := context.Background()
	if p.Name() != "r2" || p.S3().Options().Region != "auto" {
		t.Fatalf("Name %q, region %q; want r2, auto", p.Name(), p.S3().Options().Region)
	}
	body := []byte("\x89PNG\r\n\x1a\nan uploaded picture")
	tk, err := p.PrepareDirect(ctx, "user_123/photo.png", &mediastore.DirectOptions{
		ContentType: "image/png", Size: int64(len(body)), SHA256: sha(body), Expiry: time.Minute,
	})
	if err != nil {
		t.Fatalf("PrepareDirect: %v", err)
	}
	if tk.Headers.Get("X-Amz-Checksum-Sha256") == "" {
		t.Errorf("ticket headers %v; want the SHA-256 signed (R2 verifies it)", tk.Headers)
	}
	req, _ := http.NewRequest(tk.Method, tk.URL, bytes.NewReader(body))
	for k, v := range tk.Headers {
		req.Header[k] = v
	}
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatalf("PUT: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT: status %d", resp.StatusCode)
	}
	obj, err := p.Stat(ctx, "user_123/photo.png")
	if err != nil || obj.Size != int64(len(body)) || obj.ContentType != "image/png" || obj.SHA256 != sha(body) {
		t.Fatalf("Stat = %+v, %v; want the uploaded object with its SHA-256", obj, err)
	}
	rc, err := p.ReadRange(ctx, obj.Key, 0, 8)
	if err != nil {
		t.Fatalf("ReadRange: %v", err)
	}
	head, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(head, body[:8]) {
		t.Errorf("ReadRange = %q; want %q", head, body[:8])
	}
	u, err := p.URL(ctx, obj.Key, &mediastore.URLOptions{Expiry: time.Minute})
	if err != nil {
		t.Fatalf("URL: %v", err)
	}
	resp, err = srv.HTTPClient().Get(u)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, body) {
		t.Fatalf("GET presigned URL: status %d, %d bytes; want 200 and the bytes uploaded", resp.StatusCode, len(got))
	}
	if err := p.Delete(ctx, obj.Key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := p.Stat(ctx, obj.Key); mediastore.KindOf(err) != mediastore.ErrNotFound {
		t.Fatalf("Stat after Delete: %v; want ErrNotFound", err)
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestNew(t *testing.T) {
	t.Parallel()
	p, err := r2.New(r2.Config{AccountID: "abc123", AccessKeyID: "id", SecretAccessKey: "secret", Bucket: "b", PublicBaseURL: "https://pub-x.r2.dev"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	o := p.S3().Options()
	if *o.BaseEndpoint != "https://abc123.r2.cloudflarestorage.com" || o.Region != "auto" || o.UsePathStyle {
		t.Errorf("endpoint %q, region %q, path style %v; want the account's endpoint, auto, virtual hosts", *o.BaseEndpoint, o.Region, o.UsePathStyle)
	}
	if u, _ := p.URL(context.Background(), "a b.png", &mediastore.URLOptions{Expiry: time.Minute}); u != "https://pub-x.r2.dev/a%20b.png" {
		t.Errorf("URL = %q; want the public URL", u)
	}
	for _, cfg := range []r2.Config{
		{AccessKeyID: "id", SecretAccessKey: "secret", Bucket: "b"},
		{AccountID: "abc/../x", AccessKeyID: "id", SecretAccessKey: "secret", Bucket: "b"},
		{AccountID: "abc", SecretAccessKey: "secret", Bucket: "b"},
	} {
		if _, err := r2.New(cfg); mediastore.KindOf(err) != mediastore.ErrInvalid || strings.Contains(err.Error(), "secret") {
			t.Errorf("New(%v): %v; want ErrInvalid without the secret", cfg, err)
		}
	}
	cfg := r2.Config{AccountID: "abc", AccessKeyID: "AKIDSHOWNNOT", SecretAccessKey: "s3cr3tvalue", Bucket: "b"}
	if s := fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, &cfg); strings.Contains(s, "AKIDSHOWNNOT") || strings.Contains(s, "s3cr3tvalue") {
		t.Errorf("Config prints its credentials: %s", s)
	}
}

func TestConfigFromEnv(t *testing.T) {
	for _, name := range []string{r2.EnvAccountID, r2.EnvAccessKeyID, r2.EnvSecretAccessKey, r2.EnvBucket, r2.EnvPublicBaseURL, r2.EnvEndpoint, r2.EnvForcePathStyle, r2.EnvCreateOnly} {
		t.Setenv(name, "")
	}
	_, err := r2.ConfigFromEnv()
	want := "missing environment variables: R2_ACCOUNT_ID, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, R2_BUCKET_NAME"
	if mediastore.KindOf(err) != mediastore.ErrInvalid || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("ConfigFromEnv with nothing set: %v; want one line: %s", err, want)
	}

	t.Setenv(r2.EnvAccessKeyID, "id")
	t.Setenv(r2.EnvBucket, "media")
	_, err = r2.ConfigFromEnv()
	if want := "missing environment variables: R2_ACCOUNT_ID, R2_SECRET_ACCESS_KEY"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("ConfigFromEnv: %v; want %s", err, want)
	}

	t.Setenv(r2.EnvSecretAccessKey, "secret")
	t.Setenv(r2.EnvEndpoint, "http://127.0.0.1:9000")
	t.Setenv(r2.EnvForcePathStyle, "true")
	t.Setenv(r2.EnvPublicBaseURL, "https://cdn.example.com")
	cfg, err := r2.ConfigFromEnv()
	if err != nil {
		t.Fatalf("ConfigFromEnv: %v", err)
	}
	want2 := r2.Config{AccessKeyID: "id", SecretAccessKey: "secret", Bucket: "media", Endpoint: "http://127.0.0.1:9000", UsePathStyle: true, PublicBaseURL: "https://cdn.example.com"}
	if cfg != want2 {
		t.Errorf("ConfigFromEnv = %+v; want %+v", cfg, want2)
	}

	t.Setenv(r2.EnvCreateOnly, "true")
	if cfg, err := r2.ConfigFromEnv(); err != nil || !cfg.CreateOnly {
		t.Errorf("ConfigFromEnv with R2_CREATE_ONLY_UPLOADS=true: CreateOnly %v, %v; want true", cfg.CreateOnly, err)
	} else if sc, _ := cfg.S3Config(); !sc.CreateOnly {
		t.Errorf("S3Config drops CreateOnly")
	}
	t.Setenv(r2.EnvCreateOnly, "sometimes")
	if _, err := r2.ConfigFromEnv(); mediastore.KindOf(err) != mediastore.ErrInvalid || !strings.Contains(err.Error(), "R2_CREATE_ONLY_UPLOADS") {
		t.Errorf("ConfigFromEnv with R2_CREATE_ONLY_UPLOADS=sometimes: %v; want ErrInvalid naming it", err)
	}
	t.Setenv(r2.EnvCreateOnly, "")

	t.Setenv(r2.EnvForcePathStyle, "maybe")
	if _, err := r2.ConfigFromEnv(); mediastore.KindOf(err) != mediastore.ErrInvalid || !strings.Contains(err.Error(), "S3_FORCE_PATH_STYLE") {
		t.Errorf("ConfigFromEnv with S3_FORCE_PATH_STYLE=maybe: %v; want ErrInvalid naming it", err)
	}
}
