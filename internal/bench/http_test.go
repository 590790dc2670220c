package main

// Throughput and p99 latency of the R2 guide's endpoints as mediastore
// serves them (httpapi's PresignUpload and SaveMetadata on a Client over the
// r2 provider and pgstore, mounted as examples/r2 mounts them), under 32
// concurrent clients on loopback, each next to a bare net/http handler that
// does only what the guide's server does, in the same run against the same
// versitygw and PostgreSQL:
//
//	go test -run '^$' -bench 'BenchmarkHTTP' -benchtime 4000x -count 3 ./internal/bench
//
//   - prepare: POST /presign-upload (key bound to the user, intent row
//     INSERTed, presigned PUT) next to a handler that only presigns
//     (s3.PresignClient.PresignPutObject and the JSON answer);
//   - confirm: POST /save-metadata (intent looked up, HEAD and a ranged GET
//     of the object to sniff its type, row marked ready) next to a handler
//     that only INSERTs (one pgx INSERT and the JSON answer). The objects
//     are PUT before the timed part.
//
// Each runs in two variants of the bare handler's S3 client: sdk-default,
// as a user writes it, and endpoint-cache, with the resolver cache that
// mediastore's s3compat uses (s3compat.NewEndpointCache), which leaves the
// difference of the work itself (the intent row; the checks of the
// confirm).
//
// b.N is the number of requests sent to each of the two handlers, after
// httpWarmup untimed ones. They are measured in alternating rounds so that
// drift on a shared machine hits both alike. Reported: req/s and p99-ms of
// mediastore, bare-req/s and bare-p99-ms of the bare handler, x-bare (the
// ratio of the req/s), and ns/op as mediastore's wall time per request.

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/httpapi"
	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/internal/tests3"
	"github.com/mediastore/mediastore/provider/s3compat"
	"github.com/mediastore/mediastore/r2"
	"github.com/mediastore/mediastore/store/pgstore"
)

// httpClients is the number of concurrent clients.
const httpClients = 32

// httpWarmup requests go to each handler before the timed part.
const httpWarmup = 256

// httpBench is one run's servers: mediastore's and the bare one, on the
// same S3 bucket and the same PostgreSQL pool.
type httpBench struct {
	srv    *tests3.Server
	bucket string
	pool   *pgxpool.Pool
	schema string
	client *mediastore.Client
	api    *httptest.Server // mediastore: the example's routes
	bare   *httptest.Server // the bare handlers
	hc     *http.Client
}

// httpVariant selects the bare handler's endpoint resolver.
type httpVariant struct {
	name      string
	bareCache bool // the bare handler's client uses s3compat.NewEndpointCache
}

var httpVariants = []httpVariant{
	{name: "sdk-default"},
	{name: "endpoint-cache", bareCache: true},
}

func setupHTTP(b *testing.B, v httpVariant) *httpBench {
	b.Helper()
	ctx := context.Background()
	srv := tests3.Start(ctx, b, &tests3.Options{Region: r2.Region})
	hb := &httpBench{srv: srv, bucket: srv.NewBucket(ctx, b)}
	sc, err := r2.Config{
		Endpoint: srv.Endpoint, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey,
		Bucket: hb.bucket, UsePathStyle: true, HTTPClient: srv.HTTPClient(),
	}.S3Config()
	if err != nil {
		b.Fatal(err)
	}
	p, err := s3compat.New(sc)
	if err != nil {
		b.Fatal(err)
	}
	// The bare handler's client, built as s3compat builds its own (and as
	// a guide's Go port would, but for the checksum settings R2 needs).
	var bareFns []func(*s3.Options)
	if v.bareCache {
		bareFns = append(bareFns, func(o *s3.Options) {
			o.EndpointResolverV2 = s3compat.NewEndpointCache(s3.NewDefaultEndpointResolverV2())
		})
	}
	barePS := s3.NewPresignClient(s3.New(s3.Options{
		Region:                     r2.Region,
		BaseEndpoint:               aws.String(srv.Endpoint),
		Credentials:                credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, ""),
		UsePathStyle:               true,
		HTTPClient:                 srv.HTTPClient(),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}, bareFns...))
	// One pool for both, with a connection per client.
	hb.pool = testdb.NewPool(ctx, b, func(c *pgxpool.Config) { c.MaxConns = httpClients })
	hb.schema = testdb.MigratedSchema(ctx, b)
	st, err := pgstore.New(hb.pool, &pgstore.Config{Schema: hb.schema})
	if err != nil {
		b.Fatal(err)
	}
	if hb.client, err = mediastore.New(p, st, nil); err != nil {
		b.Fatal(err)
	}
	h, err := httpapi.New(hb.client, httpapi.Config{Authenticate: httpUser})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux() // as examples/r2 mounts them
	mux.Handle("/", h)
	mux.HandleFunc("POST /presign-upload", h.PresignUpload)
	mux.HandleFunc("POST /save-metadata", h.SaveMetadata)
	hb.api = httptest.NewServer(mux)
	b.Cleanup(hb.api.Close)

	bare := http.NewServeMux()
	bare.HandleFunc("POST /presign-upload", barePresign(barePS, hb.bucket))
	bare.HandleFunc("POST /save-metadata", bareInsert(hb.pool, hb.schema))
	hb.bare = httptest.NewServer(bare)
	b.Cleanup(hb.bare.Close)

	tr := &http.Transport{MaxIdleConns: 2 * httpClients, MaxIdleConnsPerHost: 2 * httpClients, DisableCompression: true}
	b.Cleanup(tr.CloseIdleConnections)
	hb.hc = &http.Client{Transport: tr}
	return hb
}

// httpUser is the examples' X-User-ID authenticator.
func httpUser(r *http.Request) (string, error) {
	return cmp.Or(r.Header.Get("X-User-ID"), "user_123"), nil
}

// barePresign is the guide's presign endpoint and nothing more: decode,
// make a key, presign a PUT with the Content-Type, answer JSON.
func barePresign(ps *s3.PresignClient, bucket string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			FileName    string `json:"fileName"`
			ContentType string `json:"contentType"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil || req.FileName == "" || req.ContentType == "" {
			http.Error(w, `{"success":false,"error":"fileName and contentType are required"}`, http.StatusBadRequest)
			return
		}
		key := "uploads/" + rand.Text() + "-" + req.FileName
		out, err := ps.PresignPutObject(r.Context(), &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(key), ContentType: aws.String(req.ContentType),
		}, s3.WithPresignExpires(5*time.Minute))
		if err != nil {
			http.Error(w, `{"success":false,"error":"presign failed"}`, http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"success": true, "presignedUrl": out.URL, "objectKey": key, "publicFileUrl": ""})
	}
}

// bareInsert is the guide's save-metadata endpoint: one INSERT of what the
// client sent, answer JSON.
func bareInsert(pool *pgxpool.Pool, schema string) http.HandlerFunc {
	query := `INSERT INTO "` + schema + `".mediastore_files
		(owner, provider, key, status, filename, content_type, resource_type, size, url)
		VALUES ($1, 'bare', $2, 'ready', '', '', 'raw', 0, $3) RETURNING id, created_at`
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ObjectKey     string `json:"objectKey"`
			PublicFileURL string `json:"publicFileUrl"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil || req.ObjectKey == "" {
			http.Error(w, `{"success":false,"error":"objectKey is required"}`, http.StatusBadRequest)
			return
		}
		owner, _ := httpUser(r)
		var id string
		var created time.Time
		if err := pool.QueryRow(r.Context(), query, owner, req.ObjectKey, req.PublicFileURL).Scan(&id, &created); err != nil {
			http.Error(w, `{"success":false,"error":"insert failed"}`, http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"success": true, "file": map[string]any{
			"id": id, "user_id": owner, "key": req.ObjectKey, "url": req.PublicFileURL, "created_at": created}})
	}
}

// httpReq is one request of a load: a path, a user and a JSON body.
type httpReq struct {
	path, user string
	body       []byte
}

// post sends r to base and fails unless the answer is a 200.
func (hb *httpBench) post(base string, r httpReq) error {
	req, err := http.NewRequest(http.MethodPost, base+r.path, bytes.NewReader(r.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-User-ID", r.user)
	resp, err := hb.hc.Do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %d %s", r.path, resp.StatusCode, body)
	}
	return nil
}

// load sends reqs to base from httpClients goroutines and returns the wall
// time and each request's latency.
func (hb *httpBench) load(base string, reqs []httpReq) (time.Duration, []time.Duration, error) {
	lat := make([]time.Duration, len(reqs))
	var next atomic.Int64
	var firstErr atomic.Pointer[error]
	var wg sync.WaitGroup
	start := time.Now()
	for range httpClients {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(reqs) || firstErr.Load() != nil {
					return
				}
				t0 := time.Now()
				if err := hb.post(base, reqs[i]); err != nil {
					firstErr.CompareAndSwap(nil, &err)
					return
				}
				lat[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	if p := firstErr.Load(); p != nil {
		return 0, nil, *p
	}
	return time.Since(start), lat, nil
}

// httpResult accumulates one handler's rounds.
type httpResult struct {
	n    int
	wall time.Duration
	lat  []time.Duration
}

func (r *httpResult) reqPerSec() float64 { return float64(r.n) / r.wall.Seconds() }

func (r *httpResult) p99ms() float64 {
	slices.Sort(r.lat)
	return float64(r.lat[min(len(r.lat)-1, len(r.lat)*99/100)]) / float64(time.Millisecond)
}

// compare runs ours and bare (each a list of requests, the first
// httpWarmup of them untimed) in alternating rounds and reports the
// metrics.
func (hb *httpBench) compare(b *testing.B, ours, bare []httpReq) {
	b.Helper()
	for _, w := range []struct {
		base string
		reqs []httpReq
	}{{hb.api.URL, ours[:httpWarmup]}, {hb.bare.URL, bare[:httpWarmup]}} {
		if _, _, err := hb.load(w.base, w.reqs); err != nil {
			b.Fatal(err)
		}
	}
	ours, bare = ours[httpWarmup:], bare[httpWarmup:]
	b.ResetTimer()
	const rounds = 4
	var rOurs, rBare httpResult
	for i := range rounds {
		lo, hi := len(ours)*i/rounds, len(ours)*(i+1)/rounds
		order := []func() error{
			func() error { return rOurs.add(hb, hb.api.URL, ours[lo:hi]) },
			func() error { return rBare.add(hb, hb.bare.URL, bare[lo:hi]) },
		}
		if i%2 == 1 {
			order[0], order[1] = order[1], order[0]
		}
		for _, run := range order {
			if err := run(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	if rOurs.n == 0 {
		return
	}
	b.ReportMetric(rOurs.reqPerSec(), "req/s")
	b.ReportMetric(rOurs.p99ms(), "p99-ms")
	b.ReportMetric(rBare.reqPerSec(), "bare-req/s")
	b.ReportMetric(rBare.p99ms(), "bare-p99-ms")
	b.ReportMetric(rOurs.reqPerSec()/rBare.reqPerSec(), "x-bare")
	b.ReportMetric(float64(rOurs.wall.Nanoseconds())/float64(rOurs.n), "ns/op")
}

func (r *httpResult) add(hb *httpBench, base string, reqs []httpReq) error {
	if len(reqs) == 0 {
		return nil
	}
	wall, lat, err := hb.load(base, reqs)
	if err != nil {
		return err
	}
	r.n += len(reqs)
	r.wall += wall
	r.lat = append(r.lat, lat...)
	return nil
}

// httpUserOf spreads requests over five users.
func httpUserOf(i int) string { return fmt.Sprintf("user-%d", i%5) }

func mustJSON(b *testing.B, v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkHTTPPrepare: POST /presign-upload, mediastore next to a handler
// that only presigns.
func BenchmarkHTTPPrepare(b *testing.B) {
	for _, v := range httpVariants {
		b.Run(v.name, func(b *testing.B) { benchPrepare(b, setupHTTP(b, v)) })
	}
}

func benchPrepare(b *testing.B, hb *httpBench) {
	n := httpWarmup + b.N
	reqs := make([]httpReq, n)
	for i := range reqs {
		reqs[i] = httpReq{path: "/presign-upload", user: httpUserOf(i),
			body: mustJSON(b, map[string]string{"fileName": fmt.Sprintf("photo-%d.png", i), "contentType": "image/png"})}
	}
	hb.compare(b, reqs, reqs)
}

// BenchmarkHTTPConfirm: POST /save-metadata of uploaded objects, mediastore
// next to a handler that only INSERTs.
func BenchmarkHTTPConfirm(b *testing.B) {
	for _, v := range httpVariants {
		b.Run(v.name, func(b *testing.B) { benchConfirm(b, setupHTTP(b, v)) })
	}
}

func benchConfirm(b *testing.B, hb *httpBench) {
	n := httpWarmup + b.N
	png := pngHeader()
	ours := make([]httpReq, n)
	// The intents and their objects, PUT through the presigned URLs,
	// before the timed part.
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, httpClients)
	for range httpClients {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				key, err := hb.uploaded(httpUserOf(i), fmt.Sprintf("photo-%d.png", i), png)
				if err != nil {
					errs <- err
					return
				}
				ours[i] = httpReq{path: "/save-metadata", user: httpUserOf(i),
					body: mustJSON(b, map[string]string{"objectKey": key, "publicFileUrl": ""})}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	bare := make([]httpReq, n)
	for i := range bare {
		bare[i] = httpReq{path: "/save-metadata", user: httpUserOf(i),
			body: mustJSON(b, map[string]string{"objectKey": fmt.Sprintf("uploads/bare-%d.png", i), "publicFileUrl": "https://media.example.test/x.png"})}
	}
	hb.compare(b, ours, bare)
	var ready int
	if err := hb.pool.QueryRow(context.Background(), `SELECT count(*) FROM "`+hb.schema+`".mediastore_files WHERE provider = 'r2' AND status = 'ready'`).Scan(&ready); err != nil {
		b.Fatal(err)
	}
	if ready != n {
		b.Fatalf("%d ready rows, want %d", ready, n)
	}
}

// uploaded prepares a direct upload for user and PUTs data to its ticket.
func (hb *httpBench) uploaded(user, name string, data []byte) (string, error) {
	t, err := hb.client.PrepareUpload(context.Background(), user, &mediastore.PrepareRequest{Filename: name, ContentType: "image/png"})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequest(t.Method, t.URL, bytes.NewReader(data))
	if err != nil {
		return "", err
	}
	for k, v := range t.Headers {
		req.Header[k] = v
	}
	resp, err := hb.srv.HTTPClient().Do(req)
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("PUT %s: %d %s", t.Key, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return t.Key, nil
}

// pngHeader is the start of a PNG file, enough for the type sniffer.
func pngHeader() []byte {
	return append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 100)...)
}
