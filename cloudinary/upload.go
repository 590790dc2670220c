package cloudinary

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/mediastore/mediastore"
)

var (
	errShort = errors.New("the stream is shorter than PutOptions.Size")
	errLong  = errors.New("the stream is longer than PutOptions.Size")
)

// Put uploads r to Cloudinary server-side, to the resource type
// PutOptions.ResourceType (else derived from the content type or the key's
// extension, else "auto") under the public ID that key maps to (see the
// package documentation, # Keys). A stream of known size up to
// Config.ChunkSize goes in one streamed request; a larger one or one of
// unknown size goes through Cloudinary's chunked upload, one part in memory
// at a time. The returned Object's Key carries the resource type Cloudinary
// stored it as.
func (p *Provider) Put(ctx context.Context, key string, r io.Reader, opts *mediastore.PutOptions) (*mediastore.Object, error) {
	rt := resourceTypeOf(opts.ResourceType, opts.ContentType, key)
	target, ok := p.mapKey(key, rt)
	if !ok {
		return nil, p.invalidKey("Put", key)
	}
	params := url.Values{"public_id": {target.PublicID}}
	if target.Type != "upload" {
		params.Set("type", target.Type)
	}
	filename := sanitizeFilename(cmpOr(opts.Filename, path.Base(key)))

	var a *asset
	var err error
	if opts.Size >= 0 && opts.Size <= p.cfg.ChunkSize {
		sr := &sizedReader{ctx: ctx, r: r, n: opts.Size}
		a, err = p.upload(ctx, rt, params, filename, sr, opts.Size, nil)
		// The transport may still be reading the body; r is the caller's
		// again once Put returns.
		if rerr := sr.stop(); rerr != nil {
			return nil, p.readErr(key, rerr)
		}
	} else {
		a, err = p.uploadChunked(ctx, key, rt, params, filename, r, opts.Size)
	}
	if err != nil {
		return nil, p.wrapErr("Put", key, err)
	}
	if a.PublicID == "" || a.ResourceType == "" {
		return nil, p.wrapErr("Put", key, &APIError{StatusCode: http.StatusOK, Message: "upload response without public_id or resource_type"})
	}
	a.Type = cmpOr(a.Type, target.Type)
	return a.object(), nil
}

// readErr reports a failure of the caller's stream: its own kind when it
// has one (the Client's size limit), ErrProvider for a cancelled context,
// else ErrInvalid.
func (p *Provider) readErr(key string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return p.wrapErr("Put", key, err)
	}
	if mediastore.KindOf(err) != nil {
		return mediastore.NewError("cloudinary.Put", "cloudinary", key, nil, err)
	}
	return mediastore.NewError("cloudinary.Put", "cloudinary", key, mediastore.ErrInvalid, err)
}

// upload sends one signed multipart upload request whose file part is
// size bytes of body, streamed. header holds the chunk headers, if any.
func (p *Provider) upload(ctx context.Context, rt string, params url.Values, filename string, body io.Reader, size int64, header http.Header) (*asset, error) {
	fields := make(url.Values, len(params)+3)
	for k, v := range params {
		fields[k] = v
	}
	if err := p.signRequest(fields); err != nil {
		return nil, err
	}
	prefix, suffix, contentType := multipartFrame(fields, filename)
	var a asset
	err := p.do(ctx, request{
		method:        http.MethodPost,
		url:           p.apiURL(rt, "upload"),
		body:          io.MultiReader(bytes.NewReader(prefix), body, bytes.NewReader(suffix)),
		contentLength: int64(len(prefix)) + size + int64(len(suffix)),
		contentType:   contentType,
		header:        header,
	}, &a)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// multipartFrame returns the bytes of a multipart/form-data body before
// and after the file part's content: the fields in name order, then the
// header of the part "file".
func multipartFrame(fields url.Values, filename string) (prefix, suffix []byte, contentType string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		_ = w.WriteField(k, fields.Get(k))
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, filename))
	h.Set("Content-Type", "application/octet-stream")
	_, _ = w.CreatePart(h)
	n := buf.Len()
	_ = w.Close()
	all := buf.Bytes()
	return all[:n:n], all[n:], w.FormDataContentType()
}

// sanitizeFilename keeps a file name safe for a Content-Disposition header.
func sanitizeFilename(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '\\' || r == '/' {
			return '_'
		}
		return r
	}, name)
	return cmpOr(truncateUTF8(name, 200), "file")
}

// uploadChunked sends r with Cloudinary's chunked upload: every part is a
// complete signed upload request with the same X-Unique-Upload-Id and a
// Content-Range "bytes start-end/total", where total is "-1" on the parts
// of a stream of unknown size except the last (as cloudinary_npm's
// upload_chunked_stream does). Parts are Config.ChunkSize bytes, only one
// of them in memory. A stream that fits in one part is sent as a plain
// upload.
func (p *Provider) uploadChunked(ctx context.Context, key, rt string, params url.Values, filename string, r io.Reader, size int64) (*asset, error) {
	br := bufio.NewReader(r)
	var buf []byte
	uploadID := randomHex(8)
	var sent int64
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var err error
		buf, err = readPart(br, buf[:0], p.cfg.ChunkSize)
		last := false
		switch {
		case err == io.EOF:
			last = true
		case err != nil:
			return nil, p.readErr(key, err)
		default:
			if _, perr := br.Peek(1); perr == io.EOF {
				last = true
			} else if perr != nil {
				return nil, p.readErr(key, perr)
			}
		}
		n := int64(len(buf))
		end := sent + n
		if size >= 0 {
			if last && end < size {
				return nil, p.readErr(key, errShort)
			}
			if end > size || !last && end == size {
				return nil, p.readErr(key, errLong)
			}
		}
		part := bytes.NewReader(buf)
		if last && sent == 0 {
			return p.upload(ctx, rt, params, filename, part, n, nil)
		}
		total := "-1"
		switch {
		case size >= 0:
			total = strconv.FormatInt(size, 10)
		case last:
			total = strconv.FormatInt(end, 10)
		}
		header := http.Header{
			"X-Unique-Upload-Id": {uploadID},
			"Content-Range":      {fmt.Sprintf("bytes %d-%d/%s", sent, end-1, total)},
		}
		a, err := p.upload(ctx, rt, params, filename, part, n, header)
		if err != nil {
			return nil, err
		}
		if last {
			return a, nil
		}
		sent = end
	}
}

// readPart appends to buf from r until it holds max bytes (err nil) or r
// ends (io.EOF, with what was read). buf grows as needed, never beyond
// max, so that small streams take little memory.
func readPart(r io.Reader, buf []byte, max int64) ([]byte, error) {
	for int64(len(buf)) < max {
		if len(buf) == cap(buf) {
			c := min(max, max64(64<<10, 2*int64(cap(buf))))
			buf = append(make([]byte, 0, c), buf...)
		}
		k, err := r.Read(buf[len(buf):min(int64(cap(buf)), max)])
		buf = buf[:len(buf)+k]
		if err == io.EOF {
			return buf, io.EOF
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sizedReader passes exactly n bytes of r through and fails when r has
// fewer or more; err records the failure (or r's own error). After stop it
// reads nothing more.
type sizedReader struct {
	mu      sync.Mutex
	ctx     context.Context // a cancelled upload stops reading at once
	r       io.Reader
	n       int64
	err     error
	stopped bool
}

var errStopped = errors.New("upload finished")

// stop waits for a Read in progress, makes later Reads fail, and returns
// the stream's failure, if any.
func (s *sizedReader) stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	return s.err
}

func (s *sizedReader) Read(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.stopped:
		return 0, errStopped
	case s.err != nil:
		return 0, s.err
	}
	if err := s.ctx.Err(); err != nil {
		s.err = err
		return 0, err
	}
	if s.n == 0 {
		var one [1]byte
		k, err := io.ReadFull(s.r, one[:])
		switch {
		case k > 0:
			s.err = errLong
		case err == io.EOF:
			return 0, io.EOF
		default:
			s.err = err
		}
		return 0, s.err
	}
	if int64(len(b)) > s.n {
		b = b[:s.n]
	}
	k, err := s.r.Read(b)
	s.n -= int64(k)
	switch {
	case err == io.EOF && s.n > 0:
		s.err = errShort
		return k, s.err
	case err == io.EOF:
		return k, io.EOF
	case err != nil:
		s.err = err
	}
	return k, err
}
