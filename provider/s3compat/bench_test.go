package s3compat_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/mediastore/mediastore"
)

// BenchmarkPut compares Provider.Put with the raw floor, one aws-sdk-go-v2
// PutObject of the same bytes streamed from a reader that cannot seek (as
// an upload arrives), on the same server in the same run. Each iteration
// does all three, interleaved, so drift hits them alike:
//
//	raw-ns/op       PutObject, UNSIGNED-PAYLOAD, nothing else
//	put-ns/op       Provider.Put with the size known
//	unknown-ns/op   Provider.Put with the size unknown (-1)
//	put/raw, unknown/raw   the ratios
//
// Run: go test -run '^$' -bench BenchmarkPut$ ./provider/s3compat/
func BenchmarkPut(b *testing.B) {
	for _, k := range kinds {
		for _, size := range []int{1 << 20, 64 << 20} {
			b.Run(fmt.Sprintf("%s/%dMiB", k.name, size>>20), func(b *testing.B) {
				p, bundle := setup(b, k.opts, nil)
				ctx := context.Background()
				data, err := io.ReadAll(stream(9, int64(size)))
				if err != nil {
					b.Fatal(err)
				}
				raw := p.S3()
				var rawD, putD, unknownD time.Duration
				timed := func(d *time.Duration, key string, f func(string) error) {
					start := time.Now()
					if err := f(key); err != nil {
						b.Fatal(err)
					}
					*d += time.Since(start)
					if _, err := raw.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bundle.bucket), Key: aws.String(key)}); err != nil {
						b.Fatal(err)
					}
				}
				b.SetBytes(int64(size))
				b.ReportAllocs()
				n := 0
				for b.Loop() {
					timed(&rawD, "raw", func(key string) error {
						_, err := raw.PutObject(ctx, &s3.PutObjectInput{
							Bucket: aws.String(bundle.bucket), Key: aws.String(key),
							Body: io.MultiReader(bytes.NewReader(data)), ContentLength: aws.Int64(int64(size)),
						}, s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware))
						return err
					})
					timed(&putD, "put", func(key string) error {
						_, err := p.Put(ctx, key, io.MultiReader(bytes.NewReader(data)), &mediastore.PutOptions{Size: int64(size)})
						return err
					})
					timed(&unknownD, "unknown", func(key string) error {
						_, err := p.Put(ctx, key, io.MultiReader(bytes.NewReader(data)), &mediastore.PutOptions{Size: -1})
						return err
					})
					n++
				}
				per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(n) }
				b.ReportMetric(per(rawD), "raw-ns/op")
				b.ReportMetric(per(putD), "put-ns/op")
				b.ReportMetric(per(unknownD), "unknown-ns/op")
				b.ReportMetric(float64(putD)/float64(rawD), "put/raw")
				b.ReportMetric(float64(unknownD)/float64(rawD), "unknown/raw")
			})
		}
	}
}

// BenchmarkPut1GiB streams 1 GiB of unknown size through Provider.Put (a
// multipart upload) and reports the process's peak resident memory (Linux
// VmHWM) and the Go heap's peak in use. Run it alone, so that the peak is
// its own:
//
//	go test -run '^$' -bench BenchmarkPut1GiB -benchtime 1x ./provider/s3compat/
func BenchmarkPut1GiB(b *testing.B) {
	const size = 1 << 30
	p, _ := setup(b, nil, nil)
	ctx := context.Background()
	b.SetBytes(size)
	var heapPeak uint64
	for b.Loop() {
		stop, sampled := make(chan struct{}), make(chan uint64)
		go func() { // sample the heap while the upload runs
			var peak uint64
			var ms runtime.MemStats
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
				select {
				case <-stop:
					sampled <- peak
					return
				case <-tick.C:
				}
			}
		}()
		_, err := p.Put(ctx, "big", stream(5, size), &mediastore.PutOptions{Size: -1})
		close(stop)
		heapPeak = max(heapPeak, <-sampled)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Delete(ctx, "big"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(heapPeak)/(1<<20), "heap-peak-MiB")
	if hwm, ok := peakRSS(); ok {
		b.ReportMetric(float64(hwm)/(1<<20), "peak-rss-MiB")
	}
}

// peakRSS returns VmHWM from /proc/self/status, in bytes.
func peakRSS() (int64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
