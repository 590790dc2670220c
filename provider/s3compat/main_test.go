package s3compat_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.uber.org/goleak"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/tests3"
	"github.com/mediastore/mediastore/provider/s3compat"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(tests3.StopAfter(m))
}

type testBundle struct {
	srv    *tests3.Server
	bucket string
	raw    *s3.Client
	sent   *recorder
}

// setup returns a provider on a fresh bucket of the shared server of kind
// opts; mod, when not nil, changes the Config first.
func setup(t testing.TB, opts *tests3.Options, mod func(*s3compat.Config)) (*s3compat.Provider, *testBundle) {
	t.Helper()
	ctx := context.Background()
	srv := tests3.Start(ctx, t, opts)
	bucket := srv.NewBucket(ctx, t)
	rec := &recorder{rt: srv.HTTPClient().Transport}
	cfg := s3compat.Config{
		Endpoint:        srv.Endpoint,
		Region:          srv.Region,
		Bucket:          bucket,
		AccessKeyID:     srv.AccessKey,
		SecretAccessKey: srv.SecretKey,
		UsePathStyle:    true,
		SHA256Checksums: true,
		HTTPClient:      &http.Client{Transport: rec},
	}
	if mod != nil {
		mod(&cfg)
	}
	p, err := s3compat.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p, &testBundle{srv: srv, bucket: bucket, raw: srv.S3Client(), sent: rec}
}

// kinds are the server kinds the behaviour tests run on: plain HTTP, and
// HTTPS as in production.
var kinds = []struct {
	name string
	opts *tests3.Options
}{
	{"HTTP", nil},
	{"TLS", &tests3.Options{TLS: true}},
}

// recorder keeps the headers of every request the provider sends.
type recorder struct {
	rt   http.RoundTripper
	mu   sync.Mutex
	reqs []http.Header
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	h := req.Header.Clone()
	h.Set(":method", req.Method)
	h.Set(":query", req.URL.RawQuery)
	r.mu.Lock()
	r.reqs = append(r.reqs, h)
	r.mu.Unlock()
	return r.rt.RoundTrip(req)
}

func (r *recorder) headers() []http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]http.Header(nil), r.reqs...)
}

// stream is a non-seekable pseudo-random stream of n bytes; the same seed
// gives the same bytes.
func stream(seed uint64, n int64) io.Reader {
	return io.LimitReader(rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)}), n)
}

func streamSHA256(t testing.TB, seed uint64, n int64) string {
	t.Helper()
	h := sha256.New()
	if _, err := io.Copy(h, stream(seed, n)); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// objectSHA256 downloads key with the raw client and returns its length and
// SHA-256.
func (b *testBundle) objectSHA256(t *testing.T, key string) (int64, string) {
	t.Helper()
	out, err := b.raw.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject(%q): %v", key, err)
	}
	defer out.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, out.Body)
	if err != nil {
		t.Fatalf("GetObject(%q): %v", key, err)
	}
	return n, hex.EncodeToString(h.Sum(nil))
}

// requireGone fails unless key is missing and no multipart upload is
// pending in the bucket.
func (b *testBundle) requireGone(t *testing.T, p *s3compat.Provider, key string) {
	t.Helper()
	ctx := context.Background()
	if obj, err := p.Stat(ctx, key); !errors.Is(err, mediastore.ErrNotFound) {
		t.Errorf("Stat(%q) = %+v, %v; want ErrNotFound", key, obj, err)
	}
	out, err := b.raw.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(b.bucket)})
	if err != nil {
		t.Fatalf("ListMultipartUploads: %v", err)
	}
	if len(out.Uploads) != 0 {
		t.Errorf("ListMultipartUploads: %d pending uploads; want none", len(out.Uploads))
	}
}

// failingReader yields the first n bytes of r, then fails with errBoom.
type failingReader struct {
	r io.Reader
	n int64
}

var errBoom = errors.New("reader failed on purpose")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errBoom
	}
	if int64(len(p)) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= int64(n)
	return n, err
}
