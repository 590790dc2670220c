package s3compat

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/mediastore/mediastore"
)

// Provider stores objects in one bucket of an S3-compatible service. It is
// safe for concurrent use.
type Provider struct {
	cfg     Config
	client  *s3.Client
	presign *s3.PresignClient
	parts   sync.Pool // *[]byte of cfg.PartSize
}

// The capabilities of Provider.
var (
	_ mediastore.Provider       = (*Provider)(nil)
	_ mediastore.DirectUploader = (*Provider)(nil)
	_ mediastore.RangeReader    = (*Provider)(nil)
	_ mediastore.Lister         = (*Provider)(nil)
)

// New returns a Provider for cfg. It builds its own aws-sdk-go-v2 client
// from cfg alone (it reads no shared config files or environment), with
// request checksums and response validation only where an operation
// requires them, as S3-compatible services need. An invalid cfg yields an
// ErrInvalid error naming the field.
func New(cfg Config) (*Provider, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, mediastore.NewError("s3compat.New", cfg.Name, "", mediastore.ErrInvalid, err)
	}
	opts := s3.Options{
		Region:       cfg.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, ""),
		UsePathStyle: cfg.UsePathStyle,
		// The SDK's default (WhenSupported) adds CRC32 checksums and
		// aws-chunked bodies that R2, B2 and others reject.
		RequestChecksumCalculation:                aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation:                aws.ResponseChecksumValidationWhenRequired,
		DisableLogOutputChecksumValidationSkipped: true,
		EndpointResolverV2:                        NewEndpointCache(s3.NewDefaultEndpointResolverV2()),
	}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	if cfg.HTTPClient != nil {
		opts.HTTPClient = cfg.HTTPClient
	}
	client := s3.New(opts, cfg.S3Options...)
	return &Provider{cfg: cfg, client: client, presign: s3.NewPresignClient(client)}, nil
}

// Name returns Config.Name.
func (p *Provider) Name() string { return p.cfg.Name }

// S3 returns the underlying client, for what the Provider does not do.
func (p *Provider) S3() *s3.Client { return p.client }

// Bucket returns Config.Bucket.
func (p *Provider) Bucket() string { return p.cfg.Bucket }

// String describes p without its credentials.
func (p *Provider) String() string {
	return "s3compat.Provider(" + p.cfg.Name + ", bucket " + p.cfg.Bucket + ")"
}

// LogValue describes p to log/slog without its credentials.
func (p *Provider) LogValue() slog.Value { return p.cfg.LogValue() }

// Stat reports the object at key from a HEAD request: size, content type,
// ETag, modification time and, when Config.SHA256Checksums is set and the
// object was stored with one, its SHA-256. A missing key yields an
// ErrNotFound error.
func (p *Provider) Stat(ctx context.Context, key string) (*mediastore.Object, error) {
	in := &s3.HeadObjectInput{Bucket: aws.String(p.cfg.Bucket), Key: aws.String(key)}
	if p.cfg.SHA256Checksums {
		in.ChecksumMode = types.ChecksumModeEnabled
	}
	out, err := p.client.HeadObject(ctx, in)
	if err != nil {
		return nil, p.interpretError("Stat", key, err)
	}
	obj := &mediastore.Object{
		Key:         key,
		Size:        aws.ToInt64(out.ContentLength),
		ContentType: aws.ToString(out.ContentType),
		ETag:        trimETag(out.ETag),
		ModTime:     aws.ToTime(out.LastModified),
		URL:         p.publicURL(key),
		SHA256:      hexSHA256(aws.ToString(out.ChecksumSHA256)),
	}
	return obj, nil
}

// StatRead reports key as [Provider.Stat] does, but for the checksum, with
// the object's first n bytes, in one ranged GET: its Content-Range carries
// the object's size. (A ranged GET carries no checksum of the whole object;
// the Client uses Stat when it needs one.)
func (p *Provider) StatRead(ctx context.Context, key string, n int) (*mediastore.Object, []byte, error) {
	const op = "StatRead"
	if n <= 0 {
		return nil, nil, mediastore.NewError("s3compat."+op, p.cfg.Name, key, mediastore.ErrInvalid, errors.New("n must be positive"))
	}
	out, err := p.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(p.cfg.Bucket), Key: aws.String(key), Range: aws.String(fmt.Sprintf("bytes=0-%d", n-1)),
	})
	// stat is the HEAD for what the GET could not say, without the
	// checksum, as StatRead promises.
	stat := func(head []byte) (*mediastore.Object, []byte, error) {
		obj, err := p.Stat(ctx, key)
		if err != nil {
			return nil, nil, err
		}
		obj.SHA256 = ""
		return obj, head, nil
	}
	if isInvalidRange(err) { // an empty object: no byte 0
		return stat(nil)
	}
	if err != nil {
		return nil, nil, p.interpretError(op, key, err)
	}
	defer out.Body.Close()
	head, err := io.ReadAll(io.LimitReader(out.Body, int64(n)))
	if err != nil {
		return nil, nil, p.interpretError(op, key, err)
	}
	size, ok := rangeTotal(aws.ToString(out.ContentRange))
	switch {
	case !ok && out.ContentRange == nil && aws.ToInt64(out.ContentLength) >= int64(len(head)):
		size = aws.ToInt64(out.ContentLength) // a 200: the server sent the whole object
	case !ok: // a total the server did not give
		return stat(head)
	}
	return &mediastore.Object{
		Key:         key,
		Size:        size,
		ContentType: aws.ToString(out.ContentType),
		ETag:        trimETag(out.ETag),
		ModTime:     aws.ToTime(out.LastModified),
		URL:         p.publicURL(key),
	}, head, nil
}

// rangeTotal returns the complete length of a Content-Range such as
// "bytes 0-511/12345"; false when it is missing or unknown ("*").
func rangeTotal(cr string) (int64, bool) {
	unit, rest, ok := strings.Cut(cr, " ")
	if !ok || !strings.EqualFold(unit, "bytes") {
		return 0, false
	}
	_, total, ok := strings.Cut(rest, "/")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(total, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// Delete removes the object at key and aborts any multipart upload in
// progress for key; a missing key is not an error.
func (p *Provider) Delete(ctx context.Context, key string) error {
	_, err := p.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(p.cfg.Bucket), Key: aws.String(key)})
	if err != nil && !isNotFound(err) {
		return p.interpretError("Delete", key, err)
	}
	return p.abortUploads(ctx, key)
}

// abortUploads aborts the multipart uploads in progress for exactly key.
// A Put whose multipart upload failed aborts it itself, but not when the
// service could not be reached at that moment; the upload's parts then
// stay stored (and billed) with no object to show for them. The Client
// deletes the key of every failed upload, at once or from the sweeper, and
// this finishes the job there.
func (p *Provider) abortUploads(ctx context.Context, key string) error {
	pages := s3.NewListMultipartUploadsPaginator(p.client, &s3.ListMultipartUploadsInput{
		Bucket: aws.String(p.cfg.Bucket), Prefix: aws.String(key),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return p.interpretError("Delete", key, err)
		}
		for _, u := range page.Uploads {
			if aws.ToString(u.Key) != key { // the prefix also matches longer keys
				continue
			}
			_, err := p.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
				Bucket: aws.String(p.cfg.Bucket), Key: u.Key, UploadId: u.UploadId,
			})
			if err != nil && !isNoSuchUpload(err) {
				return p.interpretError("Delete", key, err)
			}
		}
	}
	return nil
}

// URL returns Config.PublicBaseURL joined with the escaped key when it is
// set and opts.Signed is not; otherwise a presigned GET valid for
// opts.Expiry (at most 7 days; zero means 15 minutes) that, when
// opts.DownloadName is set, makes the response an attachment of that name.
// Signing is local: URL does not check that the object exists.
func (p *Provider) URL(ctx context.Context, key string, opts *mediastore.URLOptions) (string, error) {
	if opts == nil {
		opts = &mediastore.URLOptions{}
	}
	if p.cfg.PublicBaseURL != "" && !opts.Signed {
		return p.publicURL(key), nil
	}
	exp, err := expiry(opts.Expiry, DefaultURLExpiry)
	if err != nil {
		return "", mediastore.NewError("s3compat.URL", p.cfg.Name, key, mediastore.ErrInvalid, err)
	}
	in := &s3.GetObjectInput{Bucket: aws.String(p.cfg.Bucket), Key: aws.String(key)}
	if opts.DownloadName != "" {
		in.ResponseContentDisposition = aws.String(attachment(opts.DownloadName))
	}
	req, err := p.presign.PresignGetObject(ctx, in, s3.WithPresignExpires(exp))
	if err != nil {
		return "", p.interpretError("URL", key, err)
	}
	return req.URL, nil
}

// ReadRange returns length bytes of the object at key from offset (length
// -1 reads to the end) with a ranged GET. A range past the end of the
// object reads nothing; a missing key yields an ErrNotFound error.
func (p *Provider) ReadRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if offset < 0 || length < -1 {
		return nil, mediastore.NewError("s3compat.ReadRange", p.cfg.Name, key, mediastore.ErrInvalid,
			errors.New("offset must be >= 0 and length >= -1"))
	}
	if length == 0 {
		if _, err := p.Stat(ctx, key); err != nil {
			return nil, err
		}
		return io.NopCloser(strings.NewReader("")), nil
	}
	in := &s3.GetObjectInput{Bucket: aws.String(p.cfg.Bucket), Key: aws.String(key)}
	switch {
	case length > 0:
		in.Range = aws.String(fmt.Sprintf("bytes=%d-%d", offset, offset+length-1))
	case offset > 0:
		in.Range = aws.String(fmt.Sprintf("bytes=%d-", offset))
	}
	out, err := p.client.GetObject(ctx, in)
	if err != nil {
		if isInvalidRange(err) { // the object exists but is shorter than offset
			return io.NopCloser(strings.NewReader("")), nil
		}
		return nil, p.interpretError("ReadRange", key, err)
	}
	return out.Body, nil
}

// ListObjects yields the objects whose key starts with prefix, in key
// order, one ListObjectsV2 page at a time.
func (p *Provider) ListObjects(ctx context.Context, prefix string) iter.Seq2[*mediastore.Object, error] {
	return func(yield func(*mediastore.Object, error) bool) {
		pages := s3.NewListObjectsV2Paginator(p.client, &s3.ListObjectsV2Input{
			Bucket: aws.String(p.cfg.Bucket), Prefix: aws.String(prefix),
		})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				yield(nil, p.interpretError("ListObjects", prefix, err))
				return
			}
			for _, o := range page.Contents {
				key := aws.ToString(o.Key)
				if !yield(&mediastore.Object{
					Key:     key,
					Size:    aws.ToInt64(o.Size),
					ETag:    trimETag(o.ETag),
					ModTime: aws.ToTime(o.LastModified),
					URL:     p.publicURL(key),
				}, nil) {
					return
				}
			}
		}
	}
}

// PrepareDirect presigns a PUT of key. The ticket's Headers are the signed
// headers the client must send exactly: Content-Type always (so the service
// refuses another type), Content-Length when opts.Size is positive (so it
// refuses another length), and x-amz-checksum-sha256 when the client
// declared opts.SHA256 and Config.SHA256Checksums is set (so it refuses
// other bytes). HTTP clients set Content-Length from the body themselves
// (browsers refuse to set it); it is listed so that a client knows the
// length is bound. A presigned PUT cannot enforce opts.MaxSize: without a
// declared size any length up to 5 GiB is accepted, and the Client checks
// the size at confirm. The ticket is valid for opts.Expiry, or
// Config.DirectUploadExpiry when that is zero, at most 7 days. Signing is
// local: no request is made.
func (p *Provider) PrepareDirect(ctx context.Context, key string, opts *mediastore.DirectOptions) (*mediastore.Ticket, error) {
	const op = "PrepareDirect"
	if opts == nil {
		opts = &mediastore.DirectOptions{Size: -1}
	}
	exp, err := expiry(opts.Expiry, p.cfg.DirectUploadExpiry)
	if err != nil {
		return nil, mediastore.NewError("s3compat."+op, p.cfg.Name, key, mediastore.ErrInvalid, err)
	}
	in := &s3.PutObjectInput{
		Bucket:      aws.String(p.cfg.Bucket),
		Key:         aws.String(key),
		ContentType: aws.String(cmp.Or(opts.ContentType, "application/octet-stream")),
	}
	if opts.Size > 0 { // SigV4 signs Content-Length only when positive
		in.ContentLength = aws.Int64(opts.Size)
	}
	if p.cfg.CreateOnly {
		in.IfNoneMatch = aws.String("*")
	}
	if opts.SHA256 != "" && p.cfg.SHA256Checksums {
		sum, err := hex.DecodeString(opts.SHA256)
		if err != nil || len(sum) != 32 {
			return nil, mediastore.NewError("s3compat."+op, p.cfg.Name, key, mediastore.ErrInvalid,
				errors.New("SHA256 must be 64 hex digits"))
		}
		in.ChecksumSHA256 = aws.String(base64.StdEncoding.EncodeToString(sum))
	}
	before := time.Now().UTC().Truncate(time.Second)
	req, err := p.presign.PresignPutObject(ctx, in, s3.WithPresignExpires(exp))
	if err != nil {
		return nil, p.interpretError(op, key, err)
	}
	headers := make(http.Header, len(req.SignedHeader))
	for k, v := range req.SignedHeader {
		if !strings.EqualFold(k, "Host") {
			headers[http.CanonicalHeaderKey(k)] = v
		}
	}
	t := &mediastore.Ticket{
		Key:       key,
		Method:    req.Method,
		URL:       req.URL,
		Headers:   headers,
		ExpiresAt: signedAt(req.URL, before).Add(exp),
	}
	if p.cfg.PublicBaseURL != "" {
		t.PublicURL = p.publicURL(key)
	}
	return t, nil
}

// signedAt returns the X-Amz-Date of a presigned URL, or fallback.
func signedAt(rawURL string, fallback time.Time) time.Time {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fallback
	}
	t, err := time.Parse("20060102T150405Z", u.Query().Get("X-Amz-Date"))
	if err != nil {
		return fallback
	}
	return t
}

// expiry validates d (zero means def) and rounds it up to whole seconds,
// the unit of X-Amz-Expires.
func expiry(d, def time.Duration) (time.Duration, error) {
	if d == 0 {
		d = def
	}
	if d < 0 || d > MaxExpiry {
		return 0, errors.New("expiry must be from 1s to 7 days")
	}
	return (d + time.Second - 1).Truncate(time.Second), nil
}

// publicURL returns the public URL of key, or "" for a private bucket.
func (p *Provider) publicURL(key string) string {
	if p.cfg.PublicBaseURL == "" {
		return ""
	}
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return p.cfg.PublicBaseURL + "/" + strings.Join(segs, "/")
}

// attachment returns a Content-Disposition that saves the response as
// name, with an RFC 2231 encoding for names that are not plain ASCII.
func attachment(name string) string {
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
		return v
	}
	return "attachment"
}

func trimETag(etag *string) string {
	return strings.Trim(aws.ToString(etag), `"`)
}

// hexSHA256 turns a base64 x-amz-checksum-sha256 into lowercase hex; a
// composite checksum ("...-N") or anything else yields "".
func hexSHA256(b64 string) string {
	sum, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(sum) != 32 {
		return ""
	}
	return hex.EncodeToString(sum)
}
