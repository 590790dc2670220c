package presigntest

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/examples/internal/app"
	"github.com/mediastore/mediastore/httpapi"
	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/internal/tests3"
	"github.com/mediastore/mediastore/store/pgstore"
)

// Example describes one example server to the suite.
type Example struct {
	// Name is the provider name its files carry ("r2", "b2").
	Name string
	// PresignPath and SavePath are the guide's endpoints
	// ("/presign-upload", "/save-metadata").
	PresignPath, SavePath string
	// Region is the signing region the provider uses with a local server:
	// "auto" for R2, B2_REGION's value for B2.
	Region string
	// Routes is the example's own function that mounts the guide's
	// endpoints, as main passes it to app.Run.
	Routes func(mux *http.ServeMux, h *httpapi.Handler)
	// Provider builds the example's provider for the local server s, as
	// main builds it from the environment.
	Provider func(s Settings) (mediastore.Provider, error)
	// Env returns the provider's environment variables that point the
	// example's binary at the local server s.
	Env func(s Settings) []string
	// Required lists the provider variables the binary must name when
	// any of them is missing.
	Required []string
	// EndpointVar is the endpoint override variable, when the endpoint is
	// optional (R2_ENDPOINT_URL), and RequiredWithoutEndpoint the variables
	// required only when it is unset (R2_ACCOUNT_ID). Env sets EndpointVar
	// and none of RequiredWithoutEndpoint.
	EndpointVar             string
	RequiredWithoutEndpoint []string
	// Malformed lists settings "NAME=value" that the binary must refuse
	// with one line naming NAME.
	Malformed []string
	// CreateOnly says Provider honours Settings.CreateOnly (R2): the suite
	// then proves that a ticket cannot replace a confirmed object.
	CreateOnly bool
}

// Settings is a local S3 server and bucket for a provider.
type Settings struct {
	Endpoint, Region, AccessKey, SecretKey, Bucket string
	// PublicBaseURL is "" for a private bucket.
	PublicBaseURL string
	// HTTPClient reaches Endpoint (it trusts the server's certificate).
	HTTPClient *http.Client
	// CreateOnly asks for create-only tickets (If-None-Match: *).
	CreateOnly bool
}

// Main runs the tests of an example's package, stops the S3 servers and
// the PostgreSQL they started, then checks for leaked goroutines. Call it
// from TestMain.
func Main(m *testing.M) { testdb.Main(tests3.StopAfter(m)) }

// Run runs the whole suite on ex. The subtests run in parallel.
func Run(t *testing.T, ex *Example) {
	t.Run("GuideFlow", func(t *testing.T) { t.Parallel(); testGuideFlow(t, ex, false) })
	t.Run("GuideFlowPublicBucket", func(t *testing.T) { t.Parallel(); testGuideFlow(t, ex, true) })
	t.Run("Isolation", func(t *testing.T) { t.Parallel(); testIsolation(t, ex) })
	t.Run("Refusals", func(t *testing.T) { t.Parallel(); testRefusals(t, ex) })
	t.Run("ServerUpload", func(t *testing.T) { t.Parallel(); testServerUpload(t, ex) })
	t.Run("Concurrent", func(t *testing.T) { t.Parallel(); testConcurrent(t, ex) })
	t.Run("Binary", func(t *testing.T) { t.Parallel(); testBinary(t, ex) })
	t.Run("Replay", func(t *testing.T) { t.Parallel(); testReplay(t, ex, false) })
	if ex.CreateOnly {
		t.Run("ReplayCreateOnly", func(t *testing.T) { t.Parallel(); testReplay(t, ex, true) })
	}
}

// options adjust one test server.
type options struct {
	common     app.Common                                // limits
	public     bool                                      // public bucket
	createOnly bool                                      // create-only tickets
	transport  func(http.RoundTripper) http.RoundTripper // wraps the provider's transport
}

// bundle is one example handler on its own bucket and schema.
type bundle struct {
	ex     *Example
	srv    *tests3.Server
	bucket string
	set    Settings
	pool   *pgxpool.Pool
	schema string
	api    *httptest.Server
	logs   *syncBuffer
}

// setup serves the example's handler, built by app.NewServer with its
// routes, over a fresh bucket on the TLS S3 server and a fresh schema.
func setup(t *testing.T, ex *Example, o options) *bundle {
	t.Helper()
	ctx := context.Background()
	srv := tests3.Start(ctx, t, &tests3.Options{TLS: true, Region: ex.Region})
	b := &bundle{ex: ex, srv: srv, bucket: srv.NewBucket(ctx, t), logs: &syncBuffer{}}
	b.set = Settings{Endpoint: srv.Endpoint, Region: srv.Region, AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey, Bucket: b.bucket, HTTPClient: srv.HTTPClient()}
	b.set.CreateOnly = o.createOnly
	if o.public {
		b.set.PublicBaseURL = "https://media.example.test/" + b.bucket
	}
	if o.transport != nil {
		b.set.HTTPClient = &http.Client{Transport: o.transport(srv.HTTPClient().Transport)}
	}
	p, err := ex.Provider(b.set)
	if err != nil {
		t.Fatalf("provider: %v", err)
	}
	b.pool = testdb.Pool(ctx, t)
	b.schema = testdb.MigratedSchema(ctx, t)
	st, err := pgstore.New(b.pool, &pgstore.Config{Schema: b.schema})
	if err != nil {
		t.Fatal(err)
	}
	s, err := app.NewServer(st, app.Config{Common: o.common, Provider: p, Routes: ex.Routes},
		slog.New(slog.NewTextHandler(b.logs, nil)))
	if err != nil {
		t.Fatalf("app.NewServer: %v", err)
	}
	b.api = httptest.NewServer(s.Handler)
	t.Cleanup(b.api.Close)
	t.Cleanup(func() {
		if strings.Contains(b.logs.String(), srv.SecretKey) {
			t.Errorf("the request log holds the secret key")
		}
	})
	return b
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
