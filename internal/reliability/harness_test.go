package reliability

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/internal/tests3"
	"github.com/mediastore/mediastore/provider/s3compat"
	"github.com/mediastore/mediastore/store/pgstore"
)

// s3Env is a bucket on the shared S3 server and a migrated schema on the
// shared PostgreSQL, both reached directly (for setup and for checking) and
// through fault proxies (for the flow under test).
type s3Env struct {
	srv    *tests3.Server
	bucket string
	schema string
	table  string // the quoted schema.table

	pgProxy, s3Proxy *faultProxy

	direct  *mediastore.Client // direct connections, the flow's clock
	dstore  *pgstore.Store     // direct
	dprov   *s3compat.Provider // direct
	proxied struct {
		store *pgstore.Store
		prov  *s3compat.Provider
	}
	clock *clock
}

// clock is the Clients' clock: real time at the start, moved by tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().UTC().Truncate(time.Microsecond)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// later is a clock past every TTL of the default Config.
func (c *clock) later() func() time.Time {
	t := c.Now().Add(mediastore.DefaultPendingTTL + time.Hour)
	return func() time.Time { return t }
}

// fastRetries keeps the SDK's retries (three attempts) but with
// millisecond back-offs, so a dependency that stays down fails in
// milliseconds rather than seconds.
func fastRetries(o *s3.Options) {
	o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
		so.MaxBackoff = 5 * time.Millisecond
		so.RateLimiter = noRateLimit{}
	})
}

// noRateLimit lets every retry through: the SDK's retry quota is shared by
// the client, and the matrix fails many calls on purpose.
type noRateLimit struct{}

func (noRateLimit) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}
func (noRateLimit) AddTokens(uint) error { return nil }

// newS3Provider returns an s3compat provider of bucket at endpoint.
func newS3Provider(t testing.TB, srv *tests3.Server, bucket, endpoint string, partSize int64) *s3compat.Provider {
	t.Helper()
	p, err := s3compat.New(s3compat.Config{
		Endpoint: endpoint, Region: srv.Region, Bucket: bucket,
		AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey,
		UsePathStyle: true, HTTPClient: srv.HTTPClient(), PartSize: partSize,
		S3Options: []func(*s3.Options){fastRetries},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// newS3Env makes the bucket, schema, proxies, providers and stores.
func newS3Env(t *testing.T) *s3Env {
	t.Helper()
	ctx := t.Context()
	e := &s3Env{srv: tests3.Start(ctx, t, nil), clock: newClock()}
	e.bucket = e.srv.NewBucket(ctx, t)
	e.schema = testdb.MigratedSchema(ctx, t)
	e.table = pgx.Identifier{e.schema, "mediastore_files"}.Sanitize()

	// PostgreSQL through a proxy.
	cfg, err := pgxpool.ParseConfig(testdb.URL(ctx, t))
	if err != nil {
		t.Fatal(err)
	}
	e.pgProxy = newFaultProxy(t, "pg", net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))))
	proxied := testdb.NewPool(ctx, t, func(c *pgxpool.Config) {
		host, port, _ := net.SplitHostPort(e.pgProxy.addr)
		p, _ := strconv.Atoi(port)
		c.ConnConfig.Host, c.ConnConfig.Port = host, uint16(p)
		c.ConnConfig.Fallbacks = nil
		c.MaxConns = 4
		// One round trip per statement (as through a transaction
		// pooler), so that a reply the proxy cuts is the reply of a
		// statement that was carried out; and no liveness pings, so
		// that a fault meets the statement it is aimed at.
		testdb.SimpleProtocol(c)
		c.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return false }
	})
	// A warm pool: the flow's statements go on a connection that is
	// already open, as in a running application.
	must(t, proxied.Ping(ctx))
	if e.proxied.store, err = pgstore.New(proxied, &pgstore.Config{Schema: e.schema}); err != nil {
		t.Fatal(err)
	}
	if e.dstore, err = pgstore.New(testdb.Pool(ctx, t), &pgstore.Config{Schema: e.schema}); err != nil {
		t.Fatal(err)
	}

	// S3 through a proxy.
	u, err := url.Parse(e.srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	e.s3Proxy = newFaultProxy(t, "s3", u.Host)
	e.proxied.prov = newS3Provider(t, e.srv, e.bucket, "http://"+e.s3Proxy.addr, s3compat.MinPartSize)
	e.dprov = newS3Provider(t, e.srv, e.bucket, e.srv.Endpoint, s3compat.MinPartSize)
	e.direct = newClient(t, e.dprov, e.dstore, e.clock.Now)
	return e
}

func newClient(t testing.TB, p mediastore.Provider, s mediastore.MetadataStore, now func() time.Time) *mediastore.Client {
	t.Helper()
	c, err := mediastore.New(p, s, &mediastore.Config{Test: mediastore.TestConfig{Now: now}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// state is what the bucket and the table hold.
type state struct {
	rows    map[string]string // key -> status
	objects map[string]bool
	uploads int // multipart uploads in progress
}

// orphans are the objects that no row knows.
func (s *state) orphans() []string {
	var out []string
	for k := range s.objects {
		if _, ok := s.rows[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// dangling are the rows, in any status, whose object is gone.
func (s *state) dangling() []string {
	var out []string
	for k := range s.rows {
		if !s.objects[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// unfinished are the rows that are not ready.
func (s *state) unfinished() []string {
	var out []string
	for k, st := range s.rows {
		if st != string(mediastore.StatusReady) {
			out = append(out, k+" ("+st+")")
		}
	}
	sort.Strings(out)
	return out
}

// readState lists the bucket and reads every row of the S3 provider with
// raw SQL, over direct connections.
func (e *s3Env) readState(t testing.TB) *state {
	t.Helper()
	ctx := context.Background()
	st := &state{rows: rawRows(t, e.table, e.dprov.Name()), objects: map[string]bool{}}
	s3c := e.srv.S3Client()
	pages := s3.NewListObjectsV2Paginator(s3c, &s3.ListObjectsV2Input{Bucket: aws.String(e.bucket)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			st.objects[aws.ToString(o.Key)] = true
		}
	}
	ups, err := s3c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(e.bucket)})
	if err != nil {
		t.Fatal(err)
	}
	st.uploads = len(ups.Uploads)
	return st
}

// rawRows reads key and status of every row of provider in table.
func rawRows(t testing.TB, table, provider string) map[string]string {
	t.Helper()
	ctx := context.Background()
	rows, err := testdb.Pool(ctx, t).Query(ctx, "SELECT key, status FROM "+table+" WHERE provider = $1", provider)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var k, s string
	if _, err := pgx.ForEachRow(rows, []any{&k, &s}, func() error { out[k] = s; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// pngBytes returns n deterministic bytes that sniff as image/png.
func pngBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	copy(b, "\x89PNG\r\n\x1a\n")
	return b
}

// hookReader calls at once when n bytes have been read, before returning
// the bytes past n.
type hookReader struct {
	r    io.Reader
	n    int64
	read int64
	at   func()
	once sync.Once
}

func (h *hookReader) Read(p []byte) (int, error) {
	if h.read < h.n && h.read+int64(len(p)) > h.n {
		p = p[:h.n-h.read]
	}
	if h.read >= h.n && h.at != nil {
		h.once.Do(h.at)
	}
	k, err := h.r.Read(p)
	h.read += int64(k)
	return k, err
}

// putTicket executes a PUT ticket with body, straight to the S3 server.
func putTicket(t testing.TB, c *http.Client, tk *mediastore.Ticket, body []byte) {
	t.Helper()
	req, err := http.NewRequest(tk.Method, tk.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range tk.Headers {
		req.Header[k] = vs
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("direct PUT: %s", resp.Status)
	}
}

// outcome is "ok" or "failed".
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	return "failed"
}

// must fails t on err.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func describe(s *state) string {
	return fmt.Sprintf("orphans %v, dangling %v, unfinished %v", s.orphans(), s.dangling(), s.unfinished())
}
