package main

// Client-level benchmarks against the local S3 server (versitygw, which
// checks SigV4) and PostgreSQL, each next to its raw floor in the same
// iteration so that drift hits both alike:
//
//	go test -run '^$' -bench 'BenchmarkS3Upload$' ./internal/bench
//	go test -run '^$' -bench 'BenchmarkS3PrepareConfirm$' ./internal/bench
//	go test -run '^$' -bench 'BenchmarkS3Upload1GiB$' -benchtime 1x ./internal/bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"net/http"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/internal/tests3"
	"github.com/mediastore/mediastore/provider/s3compat"
	"github.com/mediastore/mediastore/store/pgstore"
)

// TestMain stops the S3 servers and PostgreSQL after the benchmarks, then
// fails the run if goroutines leaked.
func TestMain(m *testing.M) { testdb.Main(tests3.StopAfter(m)) }

type s3Bench struct {
	client *mediastore.Client
	p      *s3compat.Provider
	raw    *s3.Client
	pool   *pgxpool.Pool
	schema string
	bucket string
}

func setupS3(b *testing.B, maxSize int64) *s3Bench {
	b.Helper()
	ctx := context.Background()
	srv := tests3.Start(ctx, b, nil)
	bucket := srv.NewBucket(ctx, b)
	p, err := s3compat.New(s3compat.Config{
		Endpoint: srv.Endpoint, Region: srv.Region, Bucket: bucket,
		AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey, UsePathStyle: true,
		HTTPClient: srv.HTTPClient(),
	})
	if err != nil {
		b.Fatal(err)
	}
	schema := testdb.MigratedSchema(ctx, b)
	pool := testdb.Pool(ctx, b)
	st, err := pgstore.New(pool, &pgstore.Config{Schema: schema})
	if err != nil {
		b.Fatal(err)
	}
	c, err := mediastore.New(p, st, &mediastore.Config{MaxSize: maxSize})
	if err != nil {
		b.Fatal(err)
	}
	return &s3Bench{client: c, p: p, raw: srv.S3Client(), pool: pool, schema: schema, bucket: bucket}
}

// rawInsert is the floor's one INSERT of a ready row.
func (s *s3Bench) rawInsert(ctx context.Context, key string, size int64) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO "`+s.schema+`".mediastore_files
		(owner, provider, key, status, filename, content_type, resource_type, size, sha256, url)
		VALUES ($1, 's3', $2, 'ready', 'big.png', 'image/png', 'image', $3, '', '')`, "bench", key, size)
	return err
}

func (s *s3Bench) rawPut(ctx context.Context, key string, r io.Reader, size int64) error {
	_, err := s.raw.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(key), Body: r, ContentLength: aws.Int64(size),
		ContentType: aws.String("image/png"),
	}, s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware))
	return err
}

// BenchmarkS3Upload: Client.Upload (intent row overlapped with the stream,
// sniff, limit, SHA-256, PutObject or multipart, ready row) against the raw
// floor: one PutObject of the same non-seekable stream plus one INSERT. A
// third scenario, the floor with the stream's SHA-256 computed beside it
// (raw+sha), shows how much of the difference is that hash, which Upload
// must compute.
func BenchmarkS3Upload(b *testing.B) {
	for _, size := range []int64{1 << 20, 64 << 20} {
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			s := setupS3(b, size+1)
			ctx := context.Background()
			var rawD, hashedD, clientD time.Duration
			b.SetBytes(size)
			i := 0
			for b.Loop() {
				i++
				floor := func(hashed bool) {
					key := fmt.Sprintf("raw/%d-%t", i, hashed)
					t0 := time.Now()
					var body io.Reader = io.MultiReader(newStream(size))
					var h hash.Hash
					if hashed {
						// The SHA-256 that Upload must compute, of each
						// buffer as it is read, as Upload does.
						h = sha256.New()
						body = io.TeeReader(body, h)
					}
					if err := s.rawPut(ctx, key, body, size); err != nil {
						b.Fatal(err)
					}
					if h != nil && len(h.Sum(nil)) != sha256.Size {
						b.Fatal("no digest")
					}
					if err := s.rawInsert(ctx, key, size); err != nil {
						b.Fatal(err)
					}
					if hashed {
						hashedD += time.Since(t0)
					} else {
						rawD += time.Since(t0)
					}
					b.StopTimer()
					if _, err := s.raw.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)}); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				client := func() {
					t0 := time.Now()
					f, err := s.client.Upload(ctx, "bench", newStream(size), &mediastore.UploadOptions{Filename: "big.png", Size: size})
					if err != nil {
						b.Fatal(err)
					}
					clientD += time.Since(t0)
					b.StopTimer()
					if err := s.client.Delete(ctx, "bench", f.ID); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				// Objects are deleted as they are made, so the server's
				// disk writeback stays small, and the order turns with
				// each iteration, so no scenario always runs after another.
				runs := []func(){func() { floor(false) }, func() { floor(true) }, client}
				for k := range runs {
					runs[(k+i)%len(runs)]()
				}
			}
			b.ReportMetric(float64(rawD.Nanoseconds())/float64(i), "raw-ns/op")
			b.ReportMetric(float64(clientD.Nanoseconds())/float64(i), "client-ns/op")
			b.ReportMetric(float64(clientD)/float64(rawD), "client/raw")
			b.ReportMetric(float64(hashedD)/float64(rawD), "raw+sha/raw")
			b.ReportMetric(float64(clientD)/float64(hashedD), "client/raw+sha")
		})
	}
}

// BenchmarkS3PrepareConfirm: PrepareUpload + ConfirmUpload pairs (the
// client's PUT in between is not timed) against the raw floor: one
// PresignPutObject, one HeadObject and one INSERT.
func BenchmarkS3PrepareConfirm(b *testing.B) {
	s := setupS3(b, 1<<20)
	ctx := context.Background()
	presign := s3.NewPresignClient(s.raw)
	data := make([]byte, 64<<10)
	copy(data, block)
	hc := &http.Client{}
	var rawD, clientD time.Duration
	i := 0
	for b.Loop() {
		i++
		key := fmt.Sprintf("raw/%d", i)
		b.StopTimer()
		if err := s.rawPut(ctx, key, bytes.NewReader(data), int64(len(data))); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		if _, err := presign.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key + "x"),
			ContentType: aws.String("image/png"), ContentLength: aws.Int64(int64(len(data)))}, s3.WithPresignExpires(5*time.Minute)); err != nil {
			b.Fatal(err)
		}
		if _, err := s.raw.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)}); err != nil {
			b.Fatal(err)
		}
		if err := s.rawInsert(ctx, key, int64(len(data))); err != nil {
			b.Fatal(err)
		}
		rawD += time.Since(t0)

		t0 = time.Now()
		tk, err := s.client.PrepareUpload(ctx, "bench", &mediastore.PrepareRequest{Filename: "a.png", ContentType: "image/png", Size: int64(len(data))})
		if err != nil {
			b.Fatal(err)
		}
		clientD += time.Since(t0)
		b.StopTimer()
		req, _ := http.NewRequest(tk.Method, tk.URL, bytes.NewReader(data))
		for k, v := range tk.Headers {
			req.Header[k] = v
		}
		req.ContentLength = int64(len(data))
		resp, err := hc.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("PUT with the ticket: %v %v", err, resp)
		}
		resp.Body.Close()
		b.StartTimer()
		t0 = time.Now()
		if _, err := s.client.ConfirmUpload(ctx, "bench", &mediastore.ConfirmRequest{Key: tk.Key}); err != nil {
			b.Fatal(err)
		}
		clientD += time.Since(t0)
	}
	b.ReportMetric(float64(i)/rawD.Seconds(), "raw-pairs/s")
	b.ReportMetric(float64(i)/clientD.Seconds(), "client-pairs/s")
	b.ReportMetric(float64(clientD)/float64(rawD), "client/raw")
}

// BenchmarkS3Upload1GiB uploads 1 GiB through the Client and reports the
// process's peak RSS. Run it alone (peak RSS only grows).
func BenchmarkS3Upload1GiB(b *testing.B) {
	const size = 1 << 30
	s := setupS3(b, size+1)
	ctx := context.Background()
	b.SetBytes(size)
	for b.Loop() {
		if _, err := s.client.Upload(ctx, "bench", newStream(size), &mediastore.UploadOptions{Filename: "big.png"}); err != nil {
			b.Fatal(err)
		}
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MiB")
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap-sys-MiB")
}
