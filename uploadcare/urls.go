package uploadcare

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/mediastore/mediastore"
)

// defaultExpiry is the life of a signed URL when URLOptions.Expiry is zero.
const defaultExpiry = time.Hour

// cdnPath returns "/<uuid>/<ops><filename>": ops is an operations chain
// such as "-/resize/800x/" (or ""), filename an optional file name.
func cdnPath(uuid, ops, filename string) string {
	p := "/" + uuid + "/" + ops
	if filename != "" {
		p += escapeFilename(filename)
	}
	return p
}

// escapeFilename makes name one path segment: slashes become underscores,
// everything outside RFC 3986 pchar is percent-encoded.
func escapeFilename(name string) string {
	return url.PathEscape(strings.ReplaceAll(name, "/", "_"))
}

// cdnURL returns the unsigned CDN URL of uuid with ops and filename.
func (p *Provider) cdnURL(uuid, ops, filename string) string {
	return p.cfg.CDNBaseURL + cdnPath(uuid, ops, filename)
}

// CDNURL returns the public CDN URL of the file uuid with the operations
// ops applied, ending in filename when it is not empty:
// <CDNBaseURL>/<uuid>/-/op/params/.../<filename>. It is not signed; see
// [Provider.SignedURL] for projects with secure delivery.
func (p *Provider) CDNURL(uuid string, ops Ops, filename string) string {
	return p.cdnURL(uuid, ops.String(), filename)
}

// SignedURL returns the CDN URL of uuid with ops and filename and a secure
// delivery token valid for expiry (see [SecureToken]). The token's ACL is
// the URL's path, "/<uuid>/<ops>", with a final "*" in place of the file
// name when there is one. Without Config.SecureDeliverySecret it returns
// the public URL, like [Provider.URL].
func (p *Provider) SignedURL(uuid string, ops Ops, filename string, expiry time.Duration) (string, error) {
	return p.deliveryURL("uploadcare.SignedURL", uuid, ops.String(), filename, &mediastore.URLOptions{Expiry: expiry, Signed: true})
}

// deliveryURL returns the URL of path, signed when secure delivery is
// configured.
func (p *Provider) deliveryURL(op, uuid, ops, filename string, opts *mediastore.URLOptions) (string, error) {
	if !IsUUID(uuid) {
		return "", mediastore.NewError(op, Name, uuid, mediastore.ErrNotFound, nil)
	}
	path := cdnPath(uuid, ops, filename)
	if p.secure == nil {
		// Without secure delivery the CDN serves every file publicly and
		// checks no token: the public URL is all there is.
		return p.cfg.CDNBaseURL + path, nil
	}
	expiry := opts.Expiry
	if expiry <= 0 {
		expiry = defaultExpiry
	}
	exp := p.now().Add(expiry).Unix()
	// The ACL is the exact path, or, when the URL ends in a file name, the
	// path before it plus "*": the same file and operations under any name,
	// and no percent-escapes in the token.
	acl := cdnPath(uuid, ops, "")
	if filename != "" {
		acl += "*"
	}
	return p.cfg.CDNBaseURL + path + "?token=" + SecureToken(p.secure, exp, aclPath(p.cfg.CDNBaseURL, acl)), nil
}

// aclPath is the path the CDN sees: the CDN base's own path prefix, if any,
// followed by path.
func aclPath(base, path string) string {
	if u, err := url.Parse(base); err == nil {
		return strings.TrimRight(u.EscapedPath(), "/") + path
	}
	return path
}

// URL returns the CDN URL of the file with the UUID key:
// <CDNBaseURL>/<uuid>/. With opts.DownloadName it is
// <CDNBaseURL>/<uuid>/-/inline/no/<name>, which the CDN serves as an
// attachment under that name.
//
// With Config.SecureDeliverySecret set (the project's CDN then refuses
// unsigned requests) every URL carries a token that expires after
// opts.Expiry. Without it the CDN is public and checks no token, so the
// public URL is returned even when opts.Signed is set. A key that is not a
// UUID is ErrNotFound.
func (p *Provider) URL(ctx context.Context, key string, opts *mediastore.URLOptions) (string, error) {
	ops := ""
	if opts.DownloadName != "" {
		ops = "-/inline/no/"
	}
	return p.deliveryURL("uploadcare.URL", key, ops, opts.DownloadName, opts)
}

// TransformURL returns the CDN URL of the file with the UUID key with t
// translated into URL operations (see [FromTransform]), signed as URL signs.
func (p *Provider) TransformURL(ctx context.Context, key string, t *mediastore.Transform, opts *mediastore.URLOptions) (string, error) {
	const op = "uploadcare.TransformURL"
	ops, err := FromTransform(t)
	if err != nil {
		var me *mediastore.Error
		errors.As(err, &me)
		return "", mediastore.NewError(op, Name, key, me.Kind, me.Err)
	}
	s := ops.String()
	filename := ""
	if opts.DownloadName != "" {
		s += "-/inline/no/"
		filename = opts.DownloadName
	}
	return p.deliveryURL(op, key, s, filename, opts)
}
