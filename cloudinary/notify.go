package cloudinary

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/mediastore/mediastore"
)

// DefaultNotificationMaxAge is how old a notification may be, as in
// Cloudinary's SDKs (valid_for 7200 s).
const DefaultNotificationMaxAge = 2 * time.Hour

// VerifyNotification checks a Cloudinary notification (webhook) request
// with p's secret and signature algorithm: body is the raw request body,
// h its headers (X-Cld-Signature, X-Cld-Timestamp). maxAge <= 0 means
// DefaultNotificationMaxAge. See [VerifyNotificationSignature].
func (p *Provider) VerifyNotification(body []byte, h http.Header, maxAge time.Duration) error {
	return VerifyNotificationSignature(body, h.Get("X-Cld-Timestamp"), h.Get("X-Cld-Signature"),
		p.cfg.APISecret, p.cfg.SignatureAlgorithm, maxAge, p.cfg.Test.Now())
}

// VerifyNotificationSignature checks that signature is hex(SHA(body +
// timestamp + secret)) (algorithm "sha1", the default, or "sha256"),
// compared in constant time, and that timestamp (unix seconds) is less than
// maxAge (<= 0: DefaultNotificationMaxAge) before now. A missing or
// malformed header is an ErrInvalid error; a wrong signature or a stale
// timestamp an ErrForbidden error.
func VerifyNotificationSignature(body []byte, timestamp, signature, secret, algorithm string, maxAge time.Duration, now time.Time) error {
	fail := func(kind error, msg string) error {
		return mediastore.NewError("cloudinary.VerifyNotification", "cloudinary", "", kind, errors.New(msg))
	}
	if maxAge <= 0 {
		maxAge = DefaultNotificationMaxAge
	}
	if algorithm == "" {
		algorithm = "sha1"
	}
	if algorithm != "sha1" && algorithm != "sha256" {
		return fail(mediastore.ErrInvalid, "unknown signature algorithm")
	}
	if timestamp == "" || signature == "" {
		return fail(mediastore.ErrInvalid, "missing X-Cld-Signature or X-Cld-Timestamp")
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fail(mediastore.ErrInvalid, "malformed X-Cld-Timestamp")
	}
	if secret == "" {
		return fail(mediastore.ErrInvalid, "no API secret to verify with")
	}
	if !equalHex(signature, digestHex(string(body)+strconv.FormatInt(ts, 10), secret, algorithm)) {
		return fail(mediastore.ErrForbidden, "notification signature does not match")
	}
	if ts <= now.Unix()-int64(maxAge/time.Second) {
		return fail(mediastore.ErrForbidden, "notification is older than the maximum age")
	}
	return nil
}
