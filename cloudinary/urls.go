package cloudinary

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/mediastore/mediastore"
)

// URL returns the delivery URL of the original asset at key:
// DeliveryBaseURL/<cloud>/<resource_type>/<type>/[s--SIG--/]
// [fl_attachment:<name>/][v1/]<public_id>. Assets of the "authenticated"
// and "private" types, and every asset when opts.Signed is set, get a
// signed URL. Cloudinary's signed URLs do not expire: opts.Expiry is not
// applied (token-based authentication would be needed). opts.DownloadName
// adds fl_attachment for images and videos. URLs never carry the SDKs'
// analytics query parameter.
func (p *Provider) URL(ctx context.Context, key string, opts *mediastore.URLOptions) (string, error) {
	return p.TransformedURL(ctx, key, nil, opts)
}

// TransformURL returns the delivery URL of key with t applied, in
// Cloudinary's syntax (see [TransformationOf]). Raw files cannot be
// transformed: an ErrUnsupported error.
func (p *Provider) TransformURL(ctx context.Context, key string, t *mediastore.Transform, opts *mediastore.URLOptions) (string, error) {
	tr, err := TransformationOf(t)
	if err != nil {
		return "", mediastore.NewError("cloudinary.TransformURL", "cloudinary", key, mediastore.ErrInvalid, err)
	}
	return p.TransformedURL(ctx, key, tr, opts)
}

// TransformedURL returns the delivery URL of key with the typed
// transformation t applied (nil: the original), signed as [Provider.URL]
// describes.
func (p *Provider) TransformedURL(ctx context.Context, key string, t Transformation, opts *mediastore.URLOptions) (string, error) {
	op := "URL"
	if len(t) > 0 {
		op = "TransformURL"
	}
	r, err := p.resolve(ctx, op, key)
	if err != nil {
		return "", err
	}
	enc, err := t.Encode()
	if err != nil {
		return "", mediastore.NewError("cloudinary."+op, "cloudinary", key, mediastore.ErrInvalid, err)
	}
	if enc != "" && r.ResourceType == "raw" {
		return "", mediastore.NewError("cloudinary."+op, "cloudinary", key, mediastore.ErrUnsupported,
			fmt.Errorf("raw files cannot be transformed"))
	}
	if opts == nil {
		opts = &mediastore.URLOptions{}
	}
	if opts.DownloadName != "" && r.ResourceType != "raw" {
		enc = joinNonEmpty(enc, attachmentFlag(opts.DownloadName))
	}
	return p.deliveryURL(r, enc, opts.Signed), nil
}

// resolve maps key to its asset; a key whose resource type is still
// "auto" is looked up through the Admin API.
func (p *Provider) resolve(ctx context.Context, op, key string) (ref, error) {
	r, ok := p.refOf(key)
	if !ok {
		return ref{}, p.invalidKey(op, key)
	}
	if r.ResourceType == "auto" {
		a, err := p.getAsset(ctx, op, key, r)
		if err != nil {
			return ref{}, err
		}
		r.ResourceType = a.ResourceType
	}
	return r, nil
}

// attachmentFlag is fl_attachment with the download name, without its
// extension (Cloudinary appends the delivered format).
func attachmentFlag(name string) string {
	if e := strings.LastIndexByte(name, '.'); e > 0 {
		name = name[:e]
	}
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, name)
	if name == "" {
		return "fl_attachment"
	}
	return "fl_attachment:" + truncateUTF8(name, 100)
}

func joinNonEmpty(a, b string) string {
	if a == "" {
		return b
	}
	return a + "/" + b
}

// deliveryURL builds a delivery URL the way cloudinary-go's asset package
// does (with analytics off): a signature for the private types or when
// signed is set, the transformation, "v1" when the public ID has a folder
// (cloudinary-go's ForceVersion, so that a folder is never read as a
// transformation), the escaped public ID.
func (p *Provider) deliveryURL(r ref, transformation string, signed bool) string {
	var b strings.Builder
	b.WriteString(p.cfg.DeliveryBaseURL)
	b.WriteString("/" + p.cfg.CloudName + "/" + r.ResourceType + "/" + r.Type)
	if signed || r.Type != "upload" {
		b.WriteString("/" + deliverySignature(transformation, r.PublicID, p.cfg.APISecret))
	}
	if transformation != "" {
		b.WriteString("/" + transformation)
	}
	if strings.Contains(r.PublicID, "/") {
		b.WriteString("/v1")
	}
	b.WriteString("/" + smartEscape(r.PublicID))
	return b.String()
}

// smartEscape is cloudinary-go's escaping of a public ID in a URL path.
func smartEscape(s string) string {
	return strings.NewReplacer("%3A", ":", "%2F", "/", "+", "%20").Replace(url.QueryEscape(s))
}

// ReadRange reads length bytes (-1: to the end) of the original at key
// from offset, through its delivery URL (signed for the private types) with
// an HTTP Range request.
func (p *Provider) ReadRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if offset < 0 || length < -1 {
		return nil, mediastore.NewError("cloudinary.ReadRange", "cloudinary", key, mediastore.ErrInvalid,
			fmt.Errorf("bad range offset %d length %d", offset, length))
	}
	r, err := p.resolve(ctx, "ReadRange", key)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.deliveryURL(r, "", false), nil)
	if err != nil {
		return nil, p.wrapErr("ReadRange", key, p.transportErr("GET", errors.New("bad delivery URL")))
	}
	switch {
	case length == 0:
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", offset, offset))
	case length > 0:
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", offset, offset+length-1))
	case offset > 0:
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", offset))
	}
	resp, err := p.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, p.wrapErr("ReadRange", key, p.transportErr("GET", err))
	}
	var body io.Reader = resp.Body
	switch resp.StatusCode {
	case http.StatusPartialContent:
	case http.StatusOK:
		if _, err := io.CopyN(io.Discard, resp.Body, offset); err != nil && err != io.EOF {
			resp.Body.Close()
			return nil, p.wrapErr("ReadRange", key, p.transportErr("GET", err))
		}
	case http.StatusRequestedRangeNotSatisfiable:
		resp.Body.Close()
		return io.NopCloser(bytes.NewReader(nil)), nil
	default:
		defer resp.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return nil, p.wrapErr("ReadRange", key, p.apiError(resp, msg))
	}
	if length >= 0 {
		body = io.LimitReader(body, length)
	}
	return readCloser{body, resp.Body}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}
