package s3compat_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/s3compat"
)

const partSize = s3compat.MinPartSize // 5 MiB parts keep the multipart tests small

func smallParts(c *s3compat.Config) { c.PartSize, c.MultipartThreshold = partSize, partSize }

func TestPutRoundTrip(t *testing.T) {
	t.Parallel()
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range []struct {
				name      string
				size      int64
				declared  bool
				threshold int64
				parts     bool // a multipart upload is expected
			}{
				{"Empty", 0, true, partSize, false},
				{"EmptyUnknownSize", 0, false, partSize, false},
				{"SmallKnownSize", 1000, true, partSize, false},
				{"SmallUnknownSize", 1000, false, partSize, false},
				{"OnePartKnownSize", partSize, true, partSize, false},
				{"OnePartUnknownSize", partSize, false, partSize, false},
				{"OnePartAndAByteUnknownSize", partSize + 1, false, partSize, true},
				{"MultipartKnownSize", 2*partSize + 12345, true, partSize, true},
				{"MultipartUnknownSize", 3*partSize + 777, false, 3 * partSize, true},
				{"KnownSizeUnderThreshold", 2*partSize + 12345, true, 3 * partSize, false},
			} {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					// As for B2: no checksum headers at all.
					p, b := setup(t, k.opts, func(c *s3compat.Config) {
						smallParts(c)
						c.MultipartThreshold = tc.threshold
						c.SHA256Checksums = false
					})
					ctx := context.Background()
					size := int64(-1)
					if tc.declared {
						size = tc.size
					}
					obj, err := p.Put(ctx, "dir/"+tc.name+".bin", stream(7, tc.size), &mediastore.PutOptions{Size: size, ContentType: "application/x-test"})
					if err != nil {
						t.Fatalf("Put: %v", err)
					}
					if obj.Key != "dir/"+tc.name+".bin" || obj.Size != tc.size || obj.ContentType != "application/x-test" || obj.ETag == "" {
						t.Errorf("Put = %+v; want key, size %d, content type and ETag", obj, tc.size)
					}
					n, sum := b.objectSHA256(t, obj.Key)
					if n != tc.size || sum != streamSHA256(t, 7, tc.size) {
						t.Errorf("stored %d bytes with SHA-256 %s; want the %d bytes put", n, sum, tc.size)
					}
					st, err := p.Stat(ctx, obj.Key)
					if err != nil {
						t.Fatalf("Stat: %v", err)
					}
					if st.Size != tc.size || st.ContentType != "application/x-test" || st.ETag != obj.ETag || st.ModTime.IsZero() {
						t.Errorf("Stat = %+v; want size %d, the content type, ETag %q and a time", st, tc.size, obj.ETag)
					}
					var multipart bool
					for _, h := range b.sent.headers() {
						multipart = multipart || strings.Contains(h.Get(":query"), "uploads")
					}
					if multipart != tc.parts {
						t.Errorf("multipart upload used = %v; want %v", multipart, tc.parts)
					}
					b.requireNoChecksumHeaders(t)
				})
			}
		})
	}
}

// requireNoChecksumHeaders fails if a request carried a checksum header or
// an aws-chunked body, which B2 and other services reject.
func (b *testBundle) requireNoChecksumHeaders(t *testing.T) {
	t.Helper()
	for _, h := range b.sent.headers() {
		for name := range h {
			lower := strings.ToLower(name)
			if strings.HasPrefix(lower, "x-amz-checksum") || strings.HasPrefix(lower, "x-amz-sdk-checksum") || lower == "x-amz-trailer" {
				t.Errorf("%s request sent %s", h.Get(":method"), name)
			}
		}
		if h.Get("Content-Encoding") == "aws-chunked" {
			t.Errorf("%s request sent an aws-chunked body", h.Get(":method"))
		}
		if m := h.Get(":method"); (m == "PUT") && h.Get("X-Amz-Content-Sha256") != "UNSIGNED-PAYLOAD" {
			t.Errorf("PUT with X-Amz-Content-Sha256 %q; want UNSIGNED-PAYLOAD (the body is never hashed twice)", h.Get("X-Amz-Content-Sha256"))
		}
	}
}

func TestPutFailingReader(t *testing.T) {
	t.Parallel()
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range []struct {
				name      string
				size      int64
				failAfter int64
			}{
				{"SinglePutKnownSize", partSize, 1 << 20},
				{"BufferedUnknownSize", -1, 1 << 20},
				{"MultipartKnownSize", 4 * partSize, 2*partSize + 100},
				{"MultipartUnknownSize", -1, 2*partSize + 100},
				{"MultipartAtAPartBoundary", -1, 2 * partSize},
			} {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					p, b := setup(t, k.opts, smallParts)
					key := "fails/" + tc.name
					r := &failingReader{r: stream(1, 4*partSize), n: tc.failAfter}
					obj, err := p.Put(context.Background(), key, r, &mediastore.PutOptions{Size: tc.size})
					if err == nil {
						t.Fatalf("Put = %+v, nil; want an error", obj)
					}
					if !errors.Is(err, errBoom) || mediastore.KindOf(err) != mediastore.ErrInvalid {
						t.Errorf("Put: %v; want errBoom with ErrInvalid", err)
					}
					b.requireGone(t, p, key)
				})
			}
		})
	}
}

func TestPutCancelled(t *testing.T) {
	t.Parallel()
	for _, size := range []int64{-1, 4 * partSize} {
		p, b := setup(t, nil, smallParts)
		ctx, cancel := context.WithCancel(context.Background())
		r := &cancelAfter{r: stream(2, 4*partSize), n: 2*partSize + 10, cancel: cancel}
		obj, err := p.Put(ctx, "cancelled", r, &mediastore.PutOptions{Size: size})
		cancel()
		if err == nil {
			t.Fatalf("Put = %+v, nil; want an error", obj)
		}
		if !errors.Is(err, context.Canceled) || mediastore.KindOf(err) != mediastore.ErrProvider {
			t.Errorf("Put: %v; want context.Canceled with ErrProvider", err)
		}
		b.requireGone(t, p, "cancelled")
	}
}

// cancelAfter cancels once n bytes were read, and goes on yielding.
type cancelAfter struct {
	r      io.Reader
	n      int64
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n -= int64(n); c.n <= 0 {
		c.cancel()
	}
	return n, err
}

func TestPutSizeMismatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		declared, real int64
	}{
		{"ShortSingle", 100, 99},
		{"LongSingle", 100, 101},
		{"LongEmpty", 0, 1},
		{"ShortMultipart", 2*partSize + 10, 2*partSize + 9},
		{"LongMultipart", 2*partSize + 10, 2*partSize + 11},
		{"LongAtAPartBoundary", 2 * partSize, 2*partSize + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, b := setup(t, nil, smallParts)
			obj, err := p.Put(context.Background(), "mismatch", stream(3, tc.real), &mediastore.PutOptions{Size: tc.declared})
			if err == nil {
				t.Fatalf("Put of %d bytes declared as %d = %+v, nil; want an error", tc.real, tc.declared, obj)
			}
			if mediastore.KindOf(err) != mediastore.ErrInvalid {
				t.Errorf("Put: %v; want ErrInvalid", err)
			}
			b.requireGone(t, p, "mismatch")
		})
	}
}

func TestPutTooManyParts(t *testing.T) {
	t.Parallel()
	p, _ := setup(t, nil, nil)
	_, err := p.Put(context.Background(), "huge", bytes.NewReader(nil), &mediastore.PutOptions{Size: s3compat.MaxPartSize*s3compat.MaxParts + 1})
	if mediastore.KindOf(err) != mediastore.ErrTooLarge {
		t.Fatalf("Put of more than 10,000 × 5 GiB: %v; want ErrTooLarge", err)
	}
}
