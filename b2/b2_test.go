package b2_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/b2"
	"github.com/mediastore/mediastore/internal/tests3"
	"github.com/mediastore/mediastore/provider/providertest"
	"github.com/mediastore/mediastore/provider/s3compat"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(tests3.StopAfter(m))
}

// recorder fails the test on any request that B2 would reject for its
// checksum headers.
type recorder struct {
	rt  http.RoundTripper
	mu  sync.Mutex
	bad []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	for name := range req.Header {
		if l := strings.ToLower(name); strings.HasPrefix(l, "x-amz-checksum") || strings.HasPrefix(l, "x-amz-sdk-checksum") || l == "x-amz-trailer" {
			r.mu.Lock()
			r.bad = append(r.bad, req.Method+" "+name)
			r.mu.Unlock()
		}
	}
	return r.rt.RoundTrip(req)
}

// setup returns a B2 provider whose endpoint is the local server, over TLS
// as B2 requires, with B2_REGION-style region.
func setup(t *testing.T) (*s3compat.Provider, *tests3.Server) {
	t.Helper()
	ctx := context.Background()
	srv := tests3.Start(ctx, t, &tests3.Options{TLS: true, Region: "us-west-004"})
	rec := &recorder{rt: srv.HTTPClient().Transport}
	t.Cleanup(func() {
		if len(rec.bad) > 0 {
			t.Errorf("requests carried checksum headers B2 rejects: %v", rec.bad)
		}
	})
	p, err := b2.New(b2.Config{
		Endpoint:         srv.Endpoint,
		Region:           "us-west-004",
		ApplicationKeyID: srv.AccessKey,
		ApplicationKey:   srv.SecretKey,
		Bucket:           srv.NewBucket(ctx, t),
		UsePathStyle:     true,
		HTTPClient:       &http.Client{Transport: rec},
	})
	if err != nil {
		t.Fatalf("b2.New: %v", err)
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

// TestGuideFlow runs the B2 guide's flow on the provider: presign a PUT,
// upload as a browser would, verify with HEAD and a ranged read, download
// through a presigned GET, delete.
func TestGuideFlow(t *testing.T) {
	t.Parallel()
	p, srv := setup(t)
	ctx := context.Background()
	if p.Name() != "b2" {
		t.Fatalf("Name = %q; want b2", p.Name())
	}
	body := []byte("%PDF-1.7 an uploaded document")
	tk, err := p.PrepareDirect(ctx, "user_123/doc.pdf", &mediastore.DirectOptions{
		ContentType: "application/pdf", Size: int64(len(body)), SHA256: strings.Repeat("ab", 32), Expiry: time.Minute,
	})
	if err != nil {
		t.Fatalf("PrepareDirect: %v", err)
	}
	if tk.Headers.Get("X-Amz-Checksum-Sha256") != "" || tk.Headers.Get("Content-Length") == "" {
		t.Errorf("ticket headers %v; want the length signed and no checksum (B2 rejects it)", tk.Headers)
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
	obj, err := p.Stat(ctx, "user_123/doc.pdf")
	if err != nil || obj.Size != int64(len(body)) || obj.ContentType != "application/pdf" {
		t.Fatalf("Stat = %+v, %v; want the uploaded object", obj, err)
	}
	rc, err := p.ReadRange(ctx, obj.Key, 0, 5)
	if err != nil {
		t.Fatalf("ReadRange: %v", err)
	}
	head, _ := io.ReadAll(rc)
	rc.Close()
	if string(head) != "%PDF-" {
		t.Errorf("ReadRange = %q; want %%PDF-", head)
	}
	u, err := p.URL(ctx, obj.Key, &mediastore.URLOptions{Expiry: time.Minute, DownloadName: "doc.pdf"})
	if err != nil {
		t.Fatalf("URL: %v", err)
	}
	resp, err = srv.HTTPClient().Get(u)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, body) || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("GET presigned URL: status %d, %d bytes, %q; want 200, the bytes uploaded, an attachment", resp.StatusCode, len(got), resp.Header.Get("Content-Disposition"))
	}
	if err := p.Delete(ctx, obj.Key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := p.Stat(ctx, obj.Key); mediastore.KindOf(err) != mediastore.ErrNotFound {
		t.Fatalf("Stat after Delete: %v; want ErrNotFound", err)
	}
}

func TestRegion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cfg      b2.Config
		endpoint string
		region   string
	}{
		{b2.Config{Endpoint: "https://s3.us-west-004.backblazeb2.com"}, "https://s3.us-west-004.backblazeb2.com", "us-west-004"},
		// The endpoint's region wins over Config.Region, as in the guide.
		{b2.Config{Endpoint: "https://s3.eu-central-003.backblazeb2.com/", Region: "us-east-005"}, "https://s3.eu-central-003.backblazeb2.com", "eu-central-003"},
		{b2.Config{Region: "us-east-005"}, "https://s3.us-east-005.backblazeb2.com", "us-east-005"},
		{b2.Config{Endpoint: "http://127.0.0.1:9000", Region: "us-west-002"}, "http://127.0.0.1:9000", "us-west-002"},
		{b2.Config{Endpoint: "http://127.0.0.1:9000"}, "http://127.0.0.1:9000", "us-east-1"},
		{b2.Config{Endpoint: "https://b2.example.com"}, "https://b2.example.com", "us-east-1"},
	} {
		cfg := tc.cfg
		cfg.ApplicationKeyID, cfg.ApplicationKey, cfg.Bucket = "id", "key", "b"
		p, err := b2.New(cfg)
		if err != nil {
			t.Errorf("New(%v): %v", tc.cfg, err)
			continue
		}
		if o := p.S3().Options(); *o.BaseEndpoint != tc.endpoint || o.Region != tc.region {
			t.Errorf("New(%v): endpoint %q, region %q; want %q, %q", tc.cfg, *o.BaseEndpoint, o.Region, tc.endpoint, tc.region)
		}
	}
	for _, cfg := range []b2.Config{
		{ApplicationKeyID: "id", ApplicationKey: "key", Bucket: "b"},
		{ApplicationKeyID: "id", ApplicationKey: "key", Bucket: "b", Endpoint: "http://s3.us-west-004.backblazeb2.com"},
		{ApplicationKey: "key", Bucket: "b", Region: "us-west-004"},
	} {
		if _, err := b2.New(cfg); mediastore.KindOf(err) != mediastore.ErrInvalid {
			t.Errorf("New(%v): %v; want ErrInvalid", cfg, err)
		}
	}
	if r := b2.RegionOf("https://s3.evil.com.backblazeb2.com"); r != "" {
		t.Errorf("RegionOf a dotted label = %q; want none", r)
	}
	cfg := b2.Config{ApplicationKeyID: "KEYIDNOTSHOWN", ApplicationKey: "k3ynotshown", Bucket: "b"}
	if s := fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, &cfg); strings.Contains(s, "KEYIDNOTSHOWN") || strings.Contains(s, "k3ynotshown") {
		t.Errorf("Config prints its credentials: %s", s)
	}
}

func TestConfigFromEnv(t *testing.T) {
	for _, name := range []string{b2.EnvApplicationKeyID, b2.EnvApplicationKey, b2.EnvBucket, b2.EnvEndpoint, b2.EnvPublicBaseURL, b2.EnvRegion, b2.EnvForcePathStyle} {
		t.Setenv(name, "")
	}
	_, err := b2.ConfigFromEnv()
	want := "missing environment variables: B2_APPLICATION_KEY_ID, B2_APPLICATION_KEY, B2_BUCKET_NAME, B2_ENDPOINT_URL"
	if mediastore.KindOf(err) != mediastore.ErrInvalid || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("ConfigFromEnv with nothing set: %v; want one line: %s", err, want)
	}

	t.Setenv(b2.EnvApplicationKeyID, "id")
	t.Setenv(b2.EnvApplicationKey, "key")
	t.Setenv(b2.EnvBucket, "media")
	t.Setenv(b2.EnvEndpoint, "https://s3.us-west-004.backblazeb2.com")
	t.Setenv(b2.EnvRegion, "eu-central-003")
	t.Setenv(b2.EnvForcePathStyle, "1")
	cfg, err := b2.ConfigFromEnv()
	if err != nil {
		t.Fatalf("ConfigFromEnv: %v", err)
	}
	want2 := b2.Config{ApplicationKeyID: "id", ApplicationKey: "key", Bucket: "media", Endpoint: "https://s3.us-west-004.backblazeb2.com", Region: "eu-central-003", UsePathStyle: true}
	if cfg != want2 {
		t.Errorf("ConfigFromEnv = %+v; want %+v", cfg, want2)
	}
	p, err := b2.New(cfg)
	if err != nil || p.S3().Options().Region != "us-west-004" {
		t.Errorf("New(ConfigFromEnv()): %v; want region us-west-004 from the endpoint", err)
	}

	t.Setenv(b2.EnvForcePathStyle, "yes please")
	if _, err := b2.ConfigFromEnv(); mediastore.KindOf(err) != mediastore.ErrInvalid || !strings.Contains(err.Error(), "S3_FORCE_PATH_STYLE") {
		t.Errorf("ConfigFromEnv with a bad S3_FORCE_PATH_STYLE: %v; want ErrInvalid naming it", err)
	}
}
