package tests3

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// DefaultRegion is the region of a server when [Options].Region is empty.
const DefaultRegion = "us-east-1"

// Options selects the kind of server a test needs. Servers are shared per
// kind within a process.
type Options struct {
	// TLS asks for an HTTPS server. Defaults to plain HTTP.
	TLS bool
	// Region is the signing region the server expects. Defaults to
	// [DefaultRegion].
	Region string
}

// Server is a running S3 server shared by the tests of a process. Its fields
// must not be changed.
type Server struct {
	// Endpoint is the base URL, "http://127.0.0.1:PORT" or
	// "https://127.0.0.1:PORT" for a local server. Buckets are addressed in
	// the path.
	Endpoint string
	// AccessKey and SecretKey are the root credentials.
	AccessKey, SecretKey string
	// Region is the signing region.
	Region string
	// TLS reports whether Endpoint is HTTPS.
	TLS bool

	client *http.Client
	s3     *s3.Client
	proc   *process // nil for an external server
}

// HTTPClient returns an HTTP client for the server; over TLS it trusts the
// server's certificate. It is shared: do not change it.
func (s *Server) HTTPClient() *http.Client { return s.client }

// S3Client returns an aws-sdk-go-v2 client for the server with the root
// credentials, path-style addressing and checksums only where required. It
// is shared: do not change it.
func (s *Server) S3Client() *s3.Client { return s.s3 }

// String describes the server without its credentials.
func (s *Server) String() string {
	return "tests3.Server(" + s.Endpoint + ", region " + s.Region + ")"
}

type kind struct {
	tls    bool
	region string
}

type entry struct {
	once sync.Once
	srv  *Server
	err  error
}

var (
	mu      sync.Mutex
	entries = map[kind]*entry{}
)

// Start returns the shared server of the kind opts asks for (nil means
// defaults), starting it on first use. When no server can be started, it
// skips the test with one line, or fails it when CI=true. ctx bounds the
// start only; the server runs until [Stop].
func Start(ctx context.Context, tb testing.TB, opts *Options) *Server {
	tb.Helper()
	if opts == nil {
		opts = &Options{}
	}
	k := kind{tls: opts.TLS, region: cmp.Or(opts.Region, DefaultRegion)}
	mu.Lock()
	e := entries[k]
	if e == nil {
		e = &entry{}
		entries[k] = e
	}
	mu.Unlock()
	e.once.Do(func() { e.srv, e.err = start(ctx, tb, k) })
	if e.err != nil {
		msg := strings.ReplaceAll(e.err.Error(), "\n", " | ")
		if inCI() {
			tb.Fatalf("tests3: no S3 server: %s", msg)
		}
		tb.Skipf("tests3: no S3 server (set MEDIASTORE_TEST_S3_ENDPOINT, or CI=true to fail): %s", msg)
	}
	return e.srv
}

// Stop stops every local server this process started and forgets all
// servers; a later [Start] starts new ones. It is safe to call more than
// once.
func Stop() {
	mu.Lock()
	old := entries
	entries = map[kind]*entry{}
	mu.Unlock()
	for _, e := range old {
		// Wait for a start in progress, then stop what it made.
		e.once.Do(func() { e.err = errors.New("stopped") })
		if e.srv == nil {
			continue
		}
		e.srv.client.CloseIdleConnections()
		if e.srv.proc != nil {
			e.srv.proc.stop()
		}
	}
}

// M is what [StopAfter] returns: a testing.M whose Run stops the servers
// after the tests.
type M struct{ m interface{ Run() int } }

// Run runs the tests, then calls [Stop].
func (m M) Run() int {
	code := m.m.Run()
	Stop()
	return code
}

// StopAfter wraps m so that the servers stop when the tests are done, before
// a leak check: goleak.VerifyTestMain(tests3.StopAfter(m)).
func StopAfter(m interface{ Run() int }) M { return M{m: m} }

func start(ctx context.Context, tb testing.TB, k kind) (*Server, error) {
	tb.Helper()
	srv, err := external(k)
	if err != nil || srv != nil {
		return srv, err
	}
	return startLocal(ctx, tb, k)
}

// external returns the server of MEDIASTORE_TEST_S3_ENDPOINT when it matches
// k, or nil.
func external(k kind) (*Server, error) {
	endpoint := os.Getenv("MEDIASTORE_TEST_S3_ENDPOINT")
	if endpoint == "" {
		return nil, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("MEDIASTORE_TEST_S3_ENDPOINT is not an http(s) URL")
	}
	region := cmp.Or(os.Getenv("MEDIASTORE_TEST_S3_REGION"), DefaultRegion)
	if (u.Scheme == "https") != k.tls || region != k.region {
		return nil, nil
	}
	access, secret := os.Getenv("MEDIASTORE_TEST_S3_ACCESS_KEY"), os.Getenv("MEDIASTORE_TEST_S3_SECRET_KEY")
	if access == "" || secret == "" {
		return nil, errors.New("MEDIASTORE_TEST_S3_ENDPOINT is set but MEDIASTORE_TEST_S3_ACCESS_KEY or MEDIASTORE_TEST_S3_SECRET_KEY is not")
	}
	return newServer(strings.TrimSuffix(endpoint, "/"), access, secret, region, nil, nil), nil
}

func newServer(endpoint, access, secret, region string, roots *x509.CertPool, proc *process) *Server {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	tr.DialContext = dialReset
	tr.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return dialTLSReset(ctx, network, addr, tr.TLSClientConfig)
	}
	client := &http.Client{Transport: tr}
	s := &Server{
		Endpoint:  endpoint,
		AccessKey: access,
		SecretKey: secret,
		Region:    region,
		TLS:       strings.HasPrefix(endpoint, "https:"),
		client:    client,
		proc:      proc,
	}
	s.s3 = s3.New(s3.Options{
		Region:                     region,
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(access, secret, ""),
		HTTPClient:                 client,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	return s
}

func inCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// NewBucket creates a bucket for this test and removes it, with its objects
// and pending multipart uploads, when the test ends.
func (s *Server) NewBucket(ctx context.Context, tb testing.TB) string {
	tb.Helper()
	name := "t" + randomHex(8)
	if _, err := s.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		tb.Fatalf("tests3: create bucket: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.removeBucket(ctx, name); err != nil {
			tb.Errorf("tests3: remove bucket %s: %v", name, err)
		}
	})
	return name
}

func (s *Server) removeBucket(ctx context.Context, name string) error {
	uploads := s3.NewListMultipartUploadsPaginator(s.s3, &s3.ListMultipartUploadsInput{Bucket: aws.String(name)})
	for uploads.HasMorePages() {
		page, err := uploads.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, u := range page.Uploads {
			if _, err := s.s3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
				Bucket: aws.String(name), Key: u.Key, UploadId: u.UploadId,
			}); err != nil {
				return err
			}
		}
	}
	objects := s3.NewListObjectsV2Paginator(s.s3, &s3.ListObjectsV2Input{Bucket: aws.String(name)})
	for objects.HasMorePages() {
		page, err := objects.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, o := range page.Contents {
			if _, err := s.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(name), Key: o.Key}); err != nil {
				return err
			}
		}
	}
	_, err := s.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)})
	return err
}

// The client's connections end with a reset rather than a graceful close.
// When a request body fails half-way (a reader error, a cancellation), the
// transport closes the connection: AWS, R2, B2 and MinIO then refuse the
// short body, but versitygw v1.8.0 reads a graceful close as the end of the
// body and stores the bytes it got. A reset reaches it as the error it is.
// (A TLS close_notify would read as a graceful end too, so TLS connections
// skip it.)

var dialer = &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}

func dialReset(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	return c, nil
}

func dialTLSReset(ctx context.Context, network, addr string, cfg *tls.Config) (net.Conn, error) {
	raw, err := dialReset(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	cfg = cfg.Clone()
	if cfg.ServerName == "" {
		host, _, _ := net.SplitHostPort(addr)
		cfg.ServerName = host
	}
	c := tls.Client(raw, cfg)
	if err := c.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, err
	}
	return &resetConn{Conn: c, raw: raw}, nil
}

// resetConn is a TLS connection whose Close resets the TCP connection
// without a close_notify.
type resetConn struct {
	*tls.Conn
	raw net.Conn
}

func (c *resetConn) Close() error { return c.raw.Close() }
