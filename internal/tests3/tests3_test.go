package tests3_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"go.uber.org/goleak"

	"github.com/mediastore/mediastore/internal/tests3"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(tests3.StopAfter(m))
}

func TestServer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts *tests3.Options
	}{
		{"http", nil},
		{"https", &tests3.Options{TLS: true}},
		{"region auto", &tests3.Options{Region: "auto"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv := tests3.Start(ctx, t, tc.opts)
			if again := tests3.Start(ctx, t, tc.opts); again != srv {
				t.Fatalf("Start returned another server for the same options")
			}
			wantScheme := "http://"
			if tc.opts != nil && tc.opts.TLS {
				wantScheme = "https://"
			}
			if !strings.HasPrefix(srv.Endpoint, wantScheme) || srv.TLS != (wantScheme == "https://") {
				t.Fatalf("Endpoint = %q, TLS = %v; want scheme %s", srv.Endpoint, srv.TLS, wantScheme)
			}
			if strings.Contains(srv.String(), srv.SecretKey) || strings.Contains(srv.String(), srv.AccessKey) {
				t.Fatalf("String() shows credentials: %s", srv)
			}
			bucket := srv.NewBucket(ctx, t)
			body := []byte("hello tests3")
			if _, err := srv.S3Client().PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String(bucket), Key: aws.String("a/b.txt"), Body: bytes.NewReader(body),
			}); err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			out, err := srv.S3Client().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("a/b.txt")})
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			got, err := io.ReadAll(out.Body)
			out.Body.Close()
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("GetObject = %q, %v; want %q", got, err, body)
			}
		})
	}
}

// TestServerChecksSignatures proves the server is not a permissive fake: a
// wrong secret and an unsigned request are refused.
func TestServerChecksSignatures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := tests3.Start(ctx, t, nil)
	bucket := srv.NewBucket(ctx, t)

	bad := s3.New(s3.Options{
		Region: srv.Region, BaseEndpoint: aws.String(srv.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(srv.AccessKey, "wrong"+srv.SecretKey, ""),
		HTTPClient:  srv.HTTPClient(),
	})
	_, err := bad.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	var api smithy.APIError
	if err == nil || !errors.As(err, &api) {
		t.Fatalf("HeadBucket with a wrong secret: err = %v; want an API error", err)
	}

	resp, err := srv.HTTPClient().Get(srv.Endpoint + "/" + bucket + "/")
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unsigned GET: status %d; want 403", resp.StatusCode)
	}
}

// TestServerDecodesAWSChunked proves the TLS server handles what
// aws-sdk-go-v2 sends over HTTPS with its default checksums: an aws-chunked
// body with a CRC32 trailer, from a reader that cannot seek.
func TestServerDecodesAWSChunked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := tests3.Start(ctx, t, &tests3.Options{TLS: true})
	bucket := srv.NewBucket(ctx, t)
	var sent http.Header
	// A client of its own: s3.New on another client's Options() shares, and
	// writes to, that client's S3 Express credential cache (a data race).
	client := s3.New(s3.Options{
		Region: srv.Region, BaseEndpoint: aws.String(srv.Endpoint), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			sent = r.Header.Clone()
			return srv.HTTPClient().Transport.RoundTrip(r)
		})},
	})
	body := bytes.Repeat([]byte("chunk "), 100_000)
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String("chunked"),
		Body: io.MultiReader(bytes.NewReader(body)), ContentLength: aws.Int64(int64(len(body))),
	}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if sent.Get("Content-Encoding") != "aws-chunked" || sent.Get("X-Amz-Trailer") == "" {
		t.Fatalf("the SDK sent Content-Encoding %q, X-Amz-Trailer %q; want an aws-chunked body with a trailer",
			sent.Get("Content-Encoding"), sent.Get("X-Amz-Trailer"))
	}
	out, err := srv.S3Client().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("chunked")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("GetObject: %d bytes, %v; want the %d bytes put", len(got), err, len(body))
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
