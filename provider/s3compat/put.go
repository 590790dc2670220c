package s3compat

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/mediastore/mediastore"
)

// abortTimeout bounds the abort of a failed multipart upload, which runs
// even when the caller's context is cancelled.
const abortTimeout = 30 * time.Second

var (
	errShortStream = errors.New("the stream ended before PutOptions.Size bytes")
	errLongStream  = errors.New("the stream is longer than PutOptions.Size")
)

// unsignedPayload sends bodies as UNSIGNED-PAYLOAD over plain HTTP too, as
// the SDK already does over HTTPS: the body is streamed, never read twice
// to hash it, and needs not be seekable. (The Client hashes what it sends.)
var unsignedPayload = s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)

// noRetry is for a body that cannot be rewound.
func noRetry(o *s3.Options) { o.Retryer = aws.NopRetryer{} }

// Put streams r to key.
//
// A stream of known size up to Config.MultipartThreshold goes straight to
// one PutObject, without buffering. Anything else is read into part
// buffers of Config.PartSize, reused from a pool: a stream that fits in one
// part goes in one PutObject, a longer one in a multipart upload with up to
// Config.Concurrency parts in flight while the next is read. A failed or
// cancelled multipart upload is aborted. When opts.Size is known the
// stream must have exactly that length, or Put fails with ErrInvalid and
// nothing is stored; a stream of unknown size may be at most 10,000 parts
// long (ErrTooLarge).
func (p *Provider) Put(ctx context.Context, key string, r io.Reader, opts *mediastore.PutOptions) (*mediastore.Object, error) {
	if opts == nil {
		opts = &mediastore.PutOptions{Size: -1}
	}
	ctype := cmp.Or(opts.ContentType, "application/octet-stream")
	size := opts.Size
	if size > MaxPartSize*MaxParts {
		return nil, mediastore.NewError("s3compat.Put", p.cfg.Name, key, mediastore.ErrTooLarge, nil)
	}
	if size >= 0 {
		r = &exactReader{r: r, left: size}
	}
	if size >= 0 && size <= p.cfg.MultipartThreshold {
		body := r
		if size == 0 { // an empty stream is checked here and sent as no body
			if _, err := r.Read(make([]byte, 1)); err != io.EOF {
				return nil, p.readError(key, cmp.Or(err, errLongStream))
			}
			body = bytes.NewReader(nil)
		}
		etag, err := p.putObject(ctx, key, body, size, ctype, noRetry)
		if err != nil {
			return nil, p.putError(key, r, err)
		}
		return p.object(key, size, ctype, etag), nil
	}
	partSize := p.cfg.PartSize
	if size > 0 {
		// Grow parts to fit 10,000, in whole MiB.
		need := (size + MaxParts - 1) / MaxParts
		partSize = max(partSize, (need+1<<20-1)/(1<<20)*(1<<20))
	}
	return p.putParts(ctx, key, r, size, partSize, ctype)
}

// putObject sends body in one PutObject and returns the ETag.
func (p *Provider) putObject(ctx context.Context, key string, body io.Reader, size int64, ctype string, optFns ...func(*s3.Options)) (string, error) {
	out, err := p.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(p.cfg.Bucket),
		Key:           aws.String(key),
		Body:          body,
		ContentLength: aws.Int64(size),
		ContentType:   aws.String(ctype),
	}, append(optFns, unsignedPayload)...)
	if err != nil {
		return "", err
	}
	return trimETag(out.ETag), nil
}

func (p *Provider) object(key string, size int64, ctype, etag string) *mediastore.Object {
	return &mediastore.Object{Key: key, Size: size, ContentType: ctype, ETag: etag, URL: p.publicURL(key)}
}

// putParts reads r into part buffers and sends them in one PutObject when
// they fit in one part, else in a multipart upload.
func (p *Provider) putParts(ctx context.Context, key string, r io.Reader, size, partSize int64, ctype string) (*mediastore.Object, error) {
	first := p.getBuf(partSize)
	n, err := io.ReadFull(r, *first)
	if err == nil { // a full part: is there more?
		var one [1]byte
		m, perr := readSome(r, one[:])
		if m == 0 && perr == io.EOF {
			err = io.EOF
		} else if m == 0 {
			p.putBuf(first)
			return nil, p.readError(key, perr)
		} else {
			return p.multipart(ctx, key, r, first, one[0], partSize, ctype)
		}
	}
	defer p.putBuf(first)
	if err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, p.readError(key, err)
	}
	etag, err := p.putObject(ctx, key, bytes.NewReader((*first)[:n]), int64(n), ctype)
	if err != nil {
		return nil, p.interpretError("Put", key, err)
	}
	return p.object(key, int64(n), ctype, etag), nil
}

// readSome reads at least one byte unless r fails or ends.
func readSome(r io.Reader, b []byte) (int, error) {
	for {
		n, err := r.Read(b)
		if n > 0 || err != nil {
			return n, err
		}
	}
}

// multipart uploads first (a full part), then the rest of r starting with
// the byte carry, as a multipart upload.
func (p *Provider) multipart(ctx context.Context, key string, r io.Reader, first *[]byte, carry byte, partSize int64, ctype string) (*mediastore.Object, error) {
	created, err := p.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(p.cfg.Bucket), Key: aws.String(key), ContentType: aws.String(ctype),
	})
	if err != nil {
		p.putBuf(first)
		return nil, p.interpretError("Put", key, err)
	}
	u := &upload{
		p: p, key: key, id: aws.ToString(created.UploadId), size: partSize,
		sem:  make(chan struct{}, p.cfg.Concurrency),
		free: make(chan *[]byte, p.cfg.Concurrency+1),
	}
	u.ctx, u.cancel = context.WithCancel(ctx)
	defer u.cancel()
	defer u.release()

	total := int64(len(*first))
	u.send(1, first, len(*first))
	for num := int32(2); ; num++ {
		if err := u.ctx.Err(); err != nil {
			u.fail(p.interpretError("Put", key, context.Cause(u.ctx)))
			break
		}
		buf := u.getBuf()
		off := 0
		if num == 2 {
			(*buf)[0], off = carry, 1
		}
		n, err := io.ReadFull(r, (*buf)[off:])
		n += off
		if n > 0 && num > MaxParts {
			u.putBuf(buf)
			u.fail(mediastore.NewError("s3compat.Put", p.cfg.Name, key, mediastore.ErrTooLarge,
				fmt.Errorf("a stream of unknown size may have at most %d parts of %d bytes", MaxParts, partSize)))
			break
		}
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			u.putBuf(buf)
			u.fail(p.readError(key, err))
			break
		}
		total += int64(n)
		if n == 0 {
			u.putBuf(buf)
		} else {
			u.send(num, buf, n)
		}
		if err != nil { // the end of the stream
			break
		}
	}
	u.wg.Wait()
	if u.err == nil {
		etag, err := u.complete()
		if err == nil {
			return p.object(key, total, ctype, etag), nil
		}
		u.err = p.interpretError("Put", key, err)
	}
	return nil, u.abort()
}

// upload is a multipart upload in progress.
type upload struct {
	p      *Provider
	key    string
	id     string
	size   int64           // of a part
	ctx    context.Context // cancelled on the first failure
	cancel context.CancelFunc
	sem    chan struct{} // parts in flight
	free   chan *[]byte  // part buffers to reuse; never more than Concurrency+1 exist
	wg     sync.WaitGroup

	mu    sync.Mutex
	parts []types.CompletedPart
	err   error // the first failure
}

// getBuf returns a free part buffer of this upload, or a new one. The
// upload's own free list, rather than the pool alone, guarantees reuse
// within the upload: a sync.Pool may hide a buffer put back on another P.
func (u *upload) getBuf() *[]byte {
	select {
	case b := <-u.free:
		return b
	default:
		return u.p.getBuf(u.size)
	}
}

func (u *upload) putBuf(b *[]byte) {
	select {
	case u.free <- b:
	default:
		u.p.putBuf(b)
	}
}

// release hands the upload's buffers to the pool for later uploads.
func (u *upload) release() {
	for {
		select {
		case b := <-u.free:
			u.p.putBuf(b)
		default:
			return
		}
	}
}

func (u *upload) fail(err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.err == nil {
		u.err = err
		u.cancel()
	}
}

// send uploads buf[:n] as part num in the background once a slot is free;
// it returns buf to the pool when done.
func (u *upload) send(num int32, buf *[]byte, n int) {
	select {
	case u.sem <- struct{}{}:
	case <-u.ctx.Done():
		u.putBuf(buf)
		return
	}
	u.wg.Go(func() {
		defer func() { <-u.sem }()
		defer u.putBuf(buf)
		out, err := u.p.client.UploadPart(u.ctx, &s3.UploadPartInput{
			Bucket:        aws.String(u.p.cfg.Bucket),
			Key:           aws.String(u.key),
			UploadId:      aws.String(u.id),
			PartNumber:    aws.Int32(num),
			Body:          bytes.NewReader((*buf)[:n]),
			ContentLength: aws.Int64(int64(n)),
		}, unsignedPayload)
		if err != nil {
			u.fail(u.p.interpretError("Put", u.key, err))
			return
		}
		u.mu.Lock()
		u.parts = append(u.parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(num)})
		u.mu.Unlock()
	})
}

func (u *upload) complete() (string, error) {
	slices.SortFunc(u.parts, func(a, b types.CompletedPart) int {
		return cmp.Compare(aws.ToInt32(a.PartNumber), aws.ToInt32(b.PartNumber))
	})
	out, err := u.p.client.CompleteMultipartUpload(u.ctx, &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(u.p.cfg.Bucket),
		Key:             aws.String(u.key),
		UploadId:        aws.String(u.id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: u.parts},
	})
	if err != nil {
		return "", err
	}
	return trimETag(out.ETag), nil
}

// abortChecks is how many times abort looks for parts that arrived after
// it, and abortSettle how long it first waits before looking.
const (
	abortChecks = 3
	abortSettle = 50 * time.Millisecond
)

// abort removes the upload's parts, even when the caller's context is
// cancelled, and returns the failure that caused it. A part whose request
// was cancelled on this side may still be finishing on the server and
// land after the abort (AWS documents the same: abort again until ListParts
// answers NoSuchUpload), so abort checks, and aborts again, a few times.
func (u *upload) abort() error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(u.ctx), abortTimeout)
	defer cancel()
	for i := range abortChecks {
		_, err := u.p.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
			Bucket: aws.String(u.p.cfg.Bucket), Key: aws.String(u.key), UploadId: aws.String(u.id),
		})
		if err != nil && !isNoSuchUpload(err) {
			return fmt.Errorf("%w (and the abort of multipart upload %s failed: %v)", u.err, u.id, u.p.scrub(err))
		}
		select {
		case <-time.After(abortSettle << i):
		case <-ctx.Done():
			return u.err
		}
		_, err = u.p.client.ListParts(ctx, &s3.ListPartsInput{
			Bucket: aws.String(u.p.cfg.Bucket), Key: aws.String(u.key), UploadId: aws.String(u.id),
		})
		if err != nil { // NoSuchUpload, or a failure to look: nothing more to do here
			break
		}
	}
	return u.err
}

// putError reports a failed single PutObject: the stream's own failure
// when it had one (the SDK may have replaced it), else the SDK's.
func (p *Provider) putError(key string, r io.Reader, err error) error {
	if e, ok := r.(*exactReader); ok && e.err != nil {
		return p.readError(key, e.err)
	}
	return p.interpretError("Put", key, err)
}

// readError reports a failure of the stream given to Put. An error that
// already has a kind keeps it; a cancellation is ErrProvider like other
// cancellations; any other is ErrInvalid.
func (p *Provider) readError(key string, err error) error {
	var kind error
	switch {
	case mediastore.KindOf(err) != nil:
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		kind = mediastore.ErrProvider
	default:
		kind = mediastore.ErrInvalid
	}
	return mediastore.NewError("s3compat.Put", p.cfg.Name, key, kind, p.scrub(err))
}

func (p *Provider) getBuf(size int64) *[]byte {
	if size == p.cfg.PartSize {
		if b, ok := p.parts.Get().(*[]byte); ok {
			return b
		}
	}
	b := make([]byte, size)
	return &b
}

func (p *Provider) putBuf(b *[]byte) {
	if int64(len(*b)) == p.cfg.PartSize {
		p.parts.Put(b)
	}
}

// exactReader passes on a stream that must have exactly left bytes. It
// holds back the last bytes until it has seen the end of the stream, so a
// longer stream fails before the service could store it.
type exactReader struct {
	r    io.Reader
	left int64
	err  error // the stream's failure, sticky
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	if e.left == 0 {
		return 0, e.checkEnd()
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	switch {
	case err == io.EOF && e.left > 0:
		e.err = errShortStream
		return 0, e.err
	case err != nil && err != io.EOF:
		e.err = err
		return 0, err
	case e.left == 0:
		if err := e.checkEnd(); err != io.EOF {
			return 0, err
		}
		return n, io.EOF
	}
	return n, nil
}

// checkEnd returns io.EOF when the stream ends here, else the failure.
func (e *exactReader) checkEnd() error {
	var one [1]byte
	n, err := readSome(e.r, one[:])
	switch {
	case n > 0:
		e.err = errLongStream
	case err != io.EOF:
		e.err = err
	default:
		return io.EOF
	}
	return e.err
}

func isNoSuchUpload(err error) bool {
	var api interface{ ErrorCode() string }
	return errors.As(err, &api) && api.ErrorCode() == "NoSuchUpload"
}
