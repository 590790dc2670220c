package uploadcare

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mediastore/mediastore"
)

// metadataKey is the metadata entry that ties an Uploadcare file to the
// mediastore key it was uploaded for.
const metadataKey = "mediastore_key"

// maxMetadataValue is Uploadcare's limit on a metadata value, in characters.
const maxMetadataValue = 512

// metadataValue is what the file's metadata holds for key: the key itself,
// or, for a key too long for a metadata value, "sha256:" and its hex
// SHA-256.
func metadataValue(key string) string {
	if utf8.RuneCountInString(key) <= maxMetadataValue {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// serverUploadTTL is the life of the signature of a server-side upload.
const serverUploadTTL = time.Hour

// field is one form field of an Upload API request.
type field struct{ name, value string }

// uploadFields returns the fields every upload carries: the public key,
// UPLOADCARE_STORE=0 (temporary until committed), the signature when
// signed uploads are on (valid until expires) and the key's metadata.
func (p *Provider) uploadFields(key string, expires time.Time) []field {
	fs := []field{{"UPLOADCARE_PUB_KEY", p.cfg.PublicKey}, {"UPLOADCARE_STORE", "0"}}
	if p.cfg.SignedUploads {
		exp := expires.Unix()
		fs = append(fs, field{"signature", SignUpload(p.cfg.SecretKey, exp)}, field{"expire", strconv.FormatInt(exp, 10)})
	}
	if key != "" {
		fs = append(fs, field{"metadata[" + metadataKey + "]", metadataValue(key)})
	}
	return fs
}

// uploadRequest posts body to the Upload API and decodes the JSON answer.
func (p *Provider) uploadRequest(ctx context.Context, op, key, endpoint, contentType string, body io.Reader, length int64, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.cfg.UploadBaseURL+endpoint, body)
	if err != nil {
		return mediastore.NewError(op, Name, key, mediastore.ErrInvalid, err)
	}
	req.ContentLength = length
	if length < 0 {
		req.ContentLength = -1
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := p.cfg.HTTPClient.Do(req)
	if err != nil {
		return p.transportError(op, key, "POST "+endpoint, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return p.interpretError(op, key, resp)
	}
	return p.decode(op, key, resp, out)
}

// form builds a small multipart/form-data body in memory.
func form(fields []field) (contentType string, body []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		_ = mw.WriteField(f.name, f.value)
	}
	_ = mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

// Put uploads r as a temporary file (UPLOADCARE_STORE=0) and returns it with
// its Uploadcare UUID as Key; [Provider.Commit] stores it, and Uploadcare
// removes it by itself after 24 hours otherwise. The key is kept in the
// file's metadata as "mediastore_key" (its "sha256:<hex>" digest when it is
// longer than the 512 characters a metadata value may have).
//
// A stream whose size is known and at least Config.MultipartThreshold goes
// through the multipart upload API, part by part, with at most two parts
// (2 x Config.PartSize) in memory. Any other stream, including one of
// unknown size (opts.Size -1), is streamed in a single request to /base/,
// whose multipart/form-data body is written as it is read, never buffered
// whole; /base/ takes files up to 100 MB and larger ones are ErrTooLarge,
// so declare the size of a large stream (or spool it to learn the size).
//
// A stream that returns an error, or whose length differs from a known
// opts.Size (ErrInvalid), leaves no file behind.
func (p *Provider) Put(ctx context.Context, key string, r io.Reader, opts *mediastore.PutOptions) (*mediastore.Object, error) {
	if opts.Size >= p.cfg.MultipartThreshold {
		return p.putMultipart(ctx, key, r, opts)
	}
	return p.putBase(ctx, key, r, opts)
}

// filename is the name Uploadcare records as original_filename.
func filename(key string, opts *mediastore.PutOptions) string {
	if opts.Filename != "" {
		return opts.Filename
	}
	if b := path.Base(key); b != "." && b != "/" {
		return b
	}
	return "file"
}

func contentType(opts *mediastore.PutOptions) string {
	if opts.ContentType != "" {
		return opts.ContentType
	}
	return "application/octet-stream"
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", "%0D", "\n", "%0A")

// putBase streams r to /base/ in one multipart/form-data request.
func (p *Provider) putBase(ctx context.Context, key string, r io.Reader, opts *mediastore.PutOptions) (*mediastore.Object, error) {
	const op = "uploadcare.Put"
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range p.uploadFields(key, p.now().Add(serverUploadTTL)) {
		_ = mw.WriteField(f.name, f.value)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+quoteEscaper.Replace(filename(key, opts))+`"`)
	h.Set("Content-Type", contentType(opts))
	_, _ = mw.CreatePart(h)
	head := bytes.Clone(buf.Bytes())
	buf.Reset()
	_ = mw.Close()
	tail := buf.Bytes()

	src := &sizedReader{r: r, size: opts.Size}
	length := int64(-1)
	if opts.Size >= 0 {
		length = int64(len(head)) + opts.Size + int64(len(tail))
	}
	body := io.MultiReader(bytes.NewReader(head), src, bytes.NewReader(tail))
	var res map[string]string
	err := p.uploadRequest(ctx, op, key, "/base/", mw.FormDataContentType(), body, length, &res)
	if err != nil && ctx.Err() != nil {
		return nil, p.transportError(op, key, "POST /base/", ctx.Err())
	}
	if src.err != nil {
		return nil, p.streamError(op, key, src.err)
	}
	if err != nil {
		return nil, err
	}
	uuid := res["file"]
	if !IsUUID(uuid) {
		return nil, mediastore.NewError(op, Name, key, mediastore.ErrProvider, errors.New(`answer of /base/ has no "file" UUID`))
	}
	var fi fileInfo
	q := url.Values{"pub_key": {p.cfg.PublicKey}, "file_id": {uuid}}
	if err := p.uploadGet(ctx, op, key, "/info/?"+q.Encode(), &fi); err != nil {
		p.discard(ctx, uuid)
		return nil, err
	}
	if fi.Size != src.n {
		p.discard(ctx, uuid)
		return nil, mediastore.NewError(op, Name, key, mediastore.ErrProvider,
			fmt.Errorf("Uploadcare stored %d bytes of %d", fi.Size, src.n))
	}
	return p.object(uuid, &fi, false), nil
}

// uploadGet makes a GET request to the Upload API.
func (p *Provider) uploadGet(ctx context.Context, op, key, pathQuery string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.cfg.UploadBaseURL+pathQuery, nil)
	if err != nil {
		return mediastore.NewError(op, Name, key, mediastore.ErrInvalid, err)
	}
	resp, err := p.cfg.HTTPClient.Do(req)
	if err != nil {
		return p.transportError(op, key, "GET "+strings.SplitN(pathQuery, "?", 2)[0], err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return p.interpretError(op, key, resp)
	}
	return p.decode(op, key, resp, out)
}

// discard deletes a file that Put will not report, so that not even a
// temporary file is left; should that fail, Uploadcare removes the
// temporary file after 24 hours.
func (p *Provider) discard(ctx context.Context, uuid string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = p.Delete(ctx, uuid)
}

// streamError reports a failure of the caller's stream. A stream error in
// the library's vocabulary (the Client's size limit) keeps its kind; any
// other is ErrInvalid.
func (p *Provider) streamError(op, key string, err error) error {
	var kind error
	if mediastore.KindOf(err) == nil {
		kind = mediastore.ErrInvalid
	}
	return mediastore.NewError(op, Name, key, kind, err)
}

// errSize reports a stream whose length differs from the declared size.
type errSize struct{ declared, got int64 }

func (e *errSize) Error() string {
	if e.got > e.declared {
		return fmt.Sprintf("stream is longer than the declared %d bytes", e.declared)
	}
	return fmt.Sprintf("stream ended after %d of the declared %d bytes", e.got, e.declared)
}

// sizedReader counts what it reads and, when size >= 0, fails once the
// stream turns out shorter or longer than size. It remembers the first
// failure of the stream in err.
type sizedReader struct {
	r    io.Reader
	size int64 // -1 when unknown
	n    int64
	err  error
}

func (s *sizedReader) Read(b []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.size >= 0 && int64(len(b)) > s.size-s.n+1 {
		b = b[:s.size-s.n+1] // one byte more than needed shows a longer stream
	}
	n, err := s.r.Read(b)
	s.n += int64(n)
	switch {
	case s.size >= 0 && s.n > s.size:
		s.err = &errSize{declared: s.size, got: s.n}
		return n - int(s.n-s.size), s.err
	case err == io.EOF && s.size >= 0 && s.n < s.size:
		s.err = &errSize{declared: s.size, got: s.n}
		return n, s.err
	case err != nil && err != io.EOF:
		s.err = err
	}
	return n, err
}

// expectEOF fails unless the stream has nothing after its declared size.
func (s *sizedReader) expectEOF() error {
	var one [1]byte
	for range 100 {
		_, err := s.Read(one[:])
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
	s.err = io.ErrNoProgress
	return s.err
}
