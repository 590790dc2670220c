package s3compat_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/s3compat"
)

func TestStatDelete(t *testing.T) {
	t.Parallel()
	p, _ := setup(t, nil, nil)
	ctx := context.Background()
	if _, err := p.Stat(ctx, "missing"); !errors.Is(err, mediastore.ErrNotFound) || mediastore.KindOf(err) != mediastore.ErrNotFound {
		t.Fatalf("Stat(missing): %v; want ErrNotFound only", err)
	}
	if err := p.Delete(ctx, "missing"); err != nil {
		t.Fatalf("Delete(missing): %v; want nil", err)
	}
	if _, err := p.Put(ctx, "k", strings.NewReader("abc"), &mediastore.PutOptions{Size: 3, ContentType: "text/plain"}); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if err := p.Delete(ctx, "k"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := p.Stat(ctx, "k"); !errors.Is(err, mediastore.ErrNotFound) {
		t.Fatalf("Stat after Delete: %v; want ErrNotFound", err)
	}
	if err := p.Delete(ctx, "k"); err != nil {
		t.Fatalf("Delete twice: %v; want nil", err)
	}
}

// TestDeleteAbortsUploads: a multipart upload left in progress for a key
// (its Put could not abort it) is aborted by Delete of that key, and one
// for a longer key that shares the prefix is left alone.
func TestDeleteAbortsUploads(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil, nil)
	ctx := context.Background()
	for _, key := range []string{"owner/left.bin", "owner/left.bin.other"} {
		if _, err := b.raw.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b.bucket), Key: aws.String(key)}); err != nil {
			t.Fatalf("CreateMultipartUpload(%s): %v", key, err)
		}
	}
	if err := p.Delete(ctx, "owner/left.bin"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	out, err := b.raw.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(b.bucket)})
	if err != nil {
		t.Fatalf("ListMultipartUploads: %v", err)
	}
	var left []string
	for _, u := range out.Uploads {
		left = append(left, aws.ToString(u.Key))
	}
	if len(left) != 1 || left[0] != "owner/left.bin.other" {
		t.Fatalf("uploads in progress after Delete: %q; want only owner/left.bin.other", left)
	}
}

func TestMissingBucketIsAProviderFailure(t *testing.T) {
	t.Parallel()
	p, _ := setup(t, nil, func(c *s3compat.Config) { c.Bucket = "no-such-bucket-here" })
	ctx := context.Background()
	if err := p.Delete(ctx, "k"); mediastore.KindOf(err) != mediastore.ErrProvider {
		t.Errorf("Delete in a missing bucket: %v; want ErrProvider", err)
	}
	if _, err := p.Put(ctx, "k", strings.NewReader("abc"), &mediastore.PutOptions{Size: 3}); mediastore.KindOf(err) != mediastore.ErrProvider {
		t.Errorf("Put in a missing bucket: %v; want ErrProvider", err)
	}
}

func TestReadRange(t *testing.T) {
	t.Parallel()
	p, _ := setup(t, nil, nil)
	ctx := context.Background()
	data := []byte("0123456789")
	for key, body := range map[string][]byte{"ten": data, "empty": nil} {
		if _, err := p.Put(ctx, key, bytes.NewReader(body), &mediastore.PutOptions{Size: int64(len(body))}); err != nil {
			t.Fatalf("Put: %v", err)
		}
	}
	for _, tc := range []struct {
		key            string
		offset, length int64
		want           string
	}{
		{"ten", 0, 4, "0123"},
		{"ten", 0, 512, "0123456789"},
		{"ten", 3, -1, "3456789"},
		{"ten", 0, -1, "0123456789"},
		{"ten", 9, 5, "9"},
		{"ten", 10, 5, ""},
		{"ten", 4, 0, ""},
		{"empty", 0, 512, ""},
	} {
		rc, err := p.ReadRange(ctx, tc.key, tc.offset, tc.length)
		if err != nil {
			t.Errorf("ReadRange(%s, %d, %d): %v", tc.key, tc.offset, tc.length, err)
			continue
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || string(got) != tc.want {
			t.Errorf("ReadRange(%s, %d, %d) = %q, %v; want %q", tc.key, tc.offset, tc.length, got, err, tc.want)
		}
	}
	for _, length := range []int64{0, 10, -1} {
		if _, err := p.ReadRange(ctx, "missing", 0, length); !errors.Is(err, mediastore.ErrNotFound) {
			t.Errorf("ReadRange(missing, 0, %d): %v; want ErrNotFound", length, err)
		}
	}
	if _, err := p.ReadRange(ctx, "ten", -1, 2); mediastore.KindOf(err) != mediastore.ErrInvalid {
		t.Errorf("ReadRange(offset -1): %v; want ErrInvalid", err)
	}
}

func TestListObjects(t *testing.T) {
	t.Parallel()
	// Pages of two keys, so that paging is exercised.
	maxKeys := func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("maxKeys",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					if v, ok := in.Parameters.(*s3.ListObjectsV2Input); ok {
						v.MaxKeys = aws.Int32(2)
					}
					return next.HandleInitialize(ctx, in)
				}), middleware.Before)
		})
	}
	p, b := setup(t, nil, func(c *s3compat.Config) { c.S3Options = append(c.S3Options, maxKeys) })
	ctx := context.Background()
	var want []string
	for i := range 5 {
		key := fmt.Sprintf("in/%d/file.bin", i)
		want = append(want, key)
		if _, err := p.Put(ctx, key, strings.NewReader(strings.Repeat("x", i)), &mediastore.PutOptions{Size: int64(i)}); err != nil {
			t.Fatalf("Put: %v", err)
		}
	}
	if _, err := p.Put(ctx, "out/file.bin", strings.NewReader("x"), &mediastore.PutOptions{Size: 1}); err != nil {
		t.Fatalf("Put: %v", err)
	}
	var got []string
	for obj, err := range p.ListObjects(ctx, "in/") {
		if err != nil {
			t.Fatalf("ListObjects: %v", err)
		}
		if obj.Size != int64(len(got)) || obj.ETag == "" || obj.ModTime.IsZero() {
			t.Errorf("ListObjects yielded %+v; want size %d, an ETag and a time", obj, len(got))
		}
		got = append(got, obj.Key)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ListObjects(in/) = %v; want %v", got, want)
	}
	var lists int
	for _, h := range b.sent.headers() {
		if strings.Contains(h.Get(":query"), "list-type=2") {
			lists++
		}
	}
	if lists != 3 {
		t.Errorf("%d ListObjectsV2 requests; want 3 pages of at most 2", lists)
	}
	for range p.ListObjects(ctx, "in/") {
		break // stopping early must not panic
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	valid := s3compat.Config{Bucket: "b", AccessKeyID: "AKIDSECRETLOOKING", SecretAccessKey: "very-secret-value"}
	for _, tc := range []struct {
		field string
		mod   func(*s3compat.Config)
	}{
		{"Bucket", func(c *s3compat.Config) { c.Bucket = "" }},
		{"AccessKeyID", func(c *s3compat.Config) { c.AccessKeyID = "" }},
		{"SecretAccessKey", func(c *s3compat.Config) { c.SecretAccessKey = "" }},
		{"PartSize", func(c *s3compat.Config) { c.PartSize = 1 << 20 }},
		{"MultipartThreshold", func(c *s3compat.Config) { c.MultipartThreshold = 6 << 20 }},
		{"Concurrency", func(c *s3compat.Config) { c.Concurrency = -1 }},
		{"DirectUploadExpiry", func(c *s3compat.Config) { c.DirectUploadExpiry = 8 * 24 * 3600e9 }},
		{"Endpoint", func(c *s3compat.Config) { c.Endpoint = "127.0.0.1:9000" }},
		{"PublicBaseURL", func(c *s3compat.Config) { c.PublicBaseURL = "ftp://x" }},
	} {
		cfg := valid
		tc.mod(&cfg)
		_, err := s3compat.New(cfg)
		if mediastore.KindOf(err) != mediastore.ErrInvalid || !strings.Contains(err.Error(), "Config."+tc.field) {
			t.Errorf("New with a bad %s: %v; want ErrInvalid naming it", tc.field, err)
			continue
		}
		if strings.Contains(err.Error(), "very-secret-value") || strings.Contains(err.Error(), "AKIDSECRETLOOKING") {
			t.Errorf("New error shows a credential: %v", err)
		}
	}
	p, err := s3compat.New(valid)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if p.Name() != "s3" || p.S3() == nil || p.S3().Options().Region != "us-east-1" {
		t.Errorf("defaults: Name %q, region %q; want s3, us-east-1", p.Name(), p.S3().Options().Region)
	}
	o := p.S3().Options()
	if o.RequestChecksumCalculation != aws.RequestChecksumCalculationWhenRequired || o.ResponseChecksumValidation != aws.ResponseChecksumValidationWhenRequired {
		t.Errorf("checksum settings %v, %v; want WhenRequired", o.RequestChecksumCalculation, o.ResponseChecksumValidation)
	}
}

func TestNoCredentialsShown(t *testing.T) {
	t.Parallel()
	const access, secret = "AKIDNEVERSHOWN123", "secret/NEVER+shown0123456789"
	cfg := s3compat.Config{Bucket: "b", AccessKeyID: access, SecretAccessKey: secret, Endpoint: "http://127.0.0.1:1"}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "cfg", cfg)
	p, err := s3compat.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	shown := []string{
		cfg.String(), fmt.Sprintf("%v|%+v|%#v|%s", cfg, cfg, cfg, &cfg), logged.String(),
		fmt.Sprintf("%v|%+v|%s", p, p, p),
	}
	for _, s := range shown {
		if strings.Contains(s, access) || strings.Contains(s, secret) {
			t.Errorf("credentials shown: %s", s)
		}
	}
	if !strings.Contains(cfg.String(), "REDACTED") {
		t.Errorf("String() = %s; want the credentials marked REDACTED", cfg.String())
	}

	// Errors from a server that refuses the credentials: a wrong secret
	// (403), and an unknown access key too.
	for _, tc := range []struct {
		name string
		mod  func(*s3compat.Config)
		// versitygw answers an unknown access key with a 404, which a HEAD
		// cannot tell from a missing object (AWS answers 403).
		anyKind bool
	}{
		{"WrongSecret", func(c *s3compat.Config) { c.SecretAccessKey = secret }, false},
		{"UnknownAccessKey", func(c *s3compat.Config) { c.AccessKeyID, c.SecretAccessKey = access, secret }, true},
	} {
		p, _ := setup(t, nil, tc.mod)
		for i, err := range badCredentialCalls(p) {
			if err == nil {
				t.Errorf("%s: call %d succeeded", tc.name, i)
				continue
			}
			if !tc.anyKind && mediastore.KindOf(err) != mediastore.ErrProvider {
				t.Errorf("%s: call %d: %v; want ErrProvider", tc.name, i, err)
			}
			if msg := err.Error(); strings.Contains(msg, access) || strings.Contains(msg, secret) {
				t.Errorf("%s: call %d: error shows a credential: %s", tc.name, i, msg)
			}
		}
	}
}

// badCredentialCalls makes one call of every kind and returns the errors.
func badCredentialCalls(p *s3compat.Provider) []error {
	ctx := context.Background()
	var errs []error
	_, err := p.Put(ctx, "k", strings.NewReader("abc"), &mediastore.PutOptions{Size: 3})
	errs = append(errs, err)
	_, err = p.Put(ctx, "k", stream(1, 2*s3compat.DefaultPartSize), &mediastore.PutOptions{Size: -1})
	errs = append(errs, err)
	errs = append(errs, p.Delete(ctx, "k"))
	_, err = p.ReadRange(ctx, "k", 0, 10)
	errs = append(errs, err)
	for _, err := range p.ListObjects(ctx, "") {
		errs = append(errs, err)
	}
	_, err = p.Stat(ctx, "k")
	return append(errs, err)
}

// TestErrorsScrubbed proves that a credential or signature in an SDK error
// (here a transport failure that quotes them) is removed from the message,
// while errors.Is still reaches the cause.
func TestErrorsScrubbed(t *testing.T) {
	t.Parallel()
	const access, secret = "AKIDQUOTED0000", "quoted/secret+value"
	errTransport := fmt.Errorf("transport saw %s and %s at ?X-Amz-Signature=deadbeef&X-Amz-Credential=%s%%2F", access, secret, access)
	client := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, errTransport })}
	p, err := s3compat.New(s3compat.Config{
		Bucket: "b", AccessKeyID: access, SecretAccessKey: secret, Endpoint: "http://127.0.0.1:1",
		HTTPClient: client, S3Options: []func(*s3.Options){func(o *s3.Options) { o.RetryMaxAttempts = 1 }},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Stat(context.Background(), "k")
	if !errors.Is(err, errTransport) || mediastore.KindOf(err) != mediastore.ErrProvider {
		t.Fatalf("Stat: %v; want ErrProvider wrapping the transport error", err)
	}
	for _, s := range []string{access, secret, "deadbeef"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("Stat error shows %q: %s", s, err)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
