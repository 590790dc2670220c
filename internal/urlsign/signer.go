package urlsign

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The verification failures. Both mean the request is refused (403).
var (
	// ErrBadSignature: the signature is missing, malformed, or does not
	// match the claims (another key, method, type, length or expiry).
	ErrBadSignature = errors.New("mediastore: bad signature")
	// ErrExpired: the signature is valid but its expiry has passed.
	ErrExpired = errors.New("mediastore: signature expired")
)

// The query parameters of a signed URL.
const (
	paramExpires = "expires"
	paramSig     = "sig"
	paramType    = "ct"
	paramLen     = "len"
	paramMax     = "max"
	paramSHA256  = "sha256"
	paramName    = "dl"
)

// Claims is what a signature binds.
type Claims struct {
	// Method is "GET" (which also allows HEAD) or "PUT".
	Method string
	// Key is the object key.
	Key string
	// Expires is when the signature stops being valid (whole seconds).
	Expires time.Time
	// ContentType, for PUT, is the Content-Type the upload must carry;
	// "" allows any.
	ContentType string
	// Size, for PUT, is the exact body length, or -1 when not declared.
	// GET claims use -1.
	Size int64
	// MaxSize, for PUT, is the largest body accepted, or 0 for no limit.
	MaxSize int64
	// SHA256, for PUT, is the lowercase hex SHA-256 the body must have, or "".
	SHA256 string
	// DownloadName, for GET, makes the response an attachment with this
	// file name, or "" for inline.
	DownloadName string
}

// payload is the canonical, unambiguous text that is signed: fixed fields in
// a fixed order, strings quoted so that no value can contain a separator.
func (c *Claims) payload() []byte {
	var b strings.Builder
	b.WriteString("mediastore-urlsign-v1\n")
	b.WriteString(strconv.Quote(c.Method))
	b.WriteByte('\n')
	b.WriteString(strconv.Quote(c.Key))
	b.WriteByte('\n')
	b.WriteString(strconv.FormatInt(c.Expires.Unix(), 10))
	b.WriteByte('\n')
	b.WriteString(strconv.Quote(c.ContentType))
	b.WriteByte('\n')
	b.WriteString(strconv.FormatInt(c.Size, 10))
	b.WriteByte('\n')
	b.WriteString(strconv.FormatInt(c.MaxSize, 10))
	b.WriteByte('\n')
	b.WriteString(strconv.Quote(c.SHA256))
	b.WriteByte('\n')
	b.WriteString(strconv.Quote(c.DownloadName))
	return []byte(b.String())
}

// Signer signs and verifies Claims with HMAC-SHA256. It is safe for
// concurrent use.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer keyed by secret (copied). An empty secret
// selects [ProcessSecret].
func NewSigner(secret []byte) *Signer {
	if len(secret) == 0 {
		secret = ProcessSecret()
	}
	return &Signer{key: append([]byte(nil), secret...)}
}

// ProcessSecret returns a random 32-byte secret made once per process, so
// that every provider in the process that was given no secret shares it.
// URLs signed with it stop working when the process exits.
var ProcessSecret = sync.OnceValue(func() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return b
})

// Sign returns the signature of c, base64url without padding.
func (s *Signer) Sign(c *Claims) string {
	return base64.RawURLEncoding.EncodeToString(s.mac(c))
}

func (s *Signer) mac(c *Claims) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(c.payload())
	return m.Sum(nil)
}

// Verify checks sig against c in constant time, then the expiry against now.
// It returns nil, ErrBadSignature or ErrExpired.
func (s *Signer) Verify(c *Claims, sig string, now time.Time) error {
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(c)) {
		return ErrBadSignature
	}
	if !now.Before(c.Expires) {
		return ErrExpired
	}
	return nil
}

// URL returns base + "/" + the escaped key + a query holding c and its
// signature. base must not end in a slash.
func (s *Signer) URL(base string, c *Claims) string {
	q := url.Values{}
	q.Set(paramExpires, strconv.FormatInt(c.Expires.Unix(), 10))
	if c.ContentType != "" {
		q.Set(paramType, c.ContentType)
	}
	if c.Size >= 0 {
		q.Set(paramLen, strconv.FormatInt(c.Size, 10))
	}
	if c.MaxSize > 0 {
		q.Set(paramMax, strconv.FormatInt(c.MaxSize, 10))
	}
	if c.SHA256 != "" {
		q.Set(paramSHA256, c.SHA256)
	}
	if c.DownloadName != "" {
		q.Set(paramName, c.DownloadName)
	}
	q.Set(paramSig, s.Sign(c))
	return base + "/" + EscapeKey(c.Key) + "?" + q.Encode()
}

// PublicURL returns the unsigned URL of key under base, with an optional
// download name.
func PublicURL(base, key, downloadName string) string {
	u := base + "/" + EscapeKey(key)
	if downloadName != "" {
		u += "?" + url.Values{paramName: {downloadName}}.Encode()
	}
	return u
}

// VerifyQuery reads the claims of a request for key with method ("GET" for
// HEAD too) from q and verifies them at now. The claims are returned only
// when they verify.
func (s *Signer) VerifyQuery(method, key string, q url.Values, now time.Time) (*Claims, error) {
	sig := q.Get(paramSig)
	exp, err := strconv.ParseInt(q.Get(paramExpires), 10, 64)
	if sig == "" || err != nil {
		return nil, ErrBadSignature
	}
	c := &Claims{
		Method:       method,
		Key:          key,
		Expires:      time.Unix(exp, 0),
		ContentType:  q.Get(paramType),
		Size:         -1,
		SHA256:       q.Get(paramSHA256),
		DownloadName: q.Get(paramName),
	}
	if v := q.Get(paramLen); v != "" {
		if c.Size, err = strconv.ParseInt(v, 10, 64); err != nil || c.Size < 0 {
			return nil, ErrBadSignature
		}
	}
	if v := q.Get(paramMax); v != "" {
		if c.MaxSize, err = strconv.ParseInt(v, 10, 64); err != nil || c.MaxSize <= 0 {
			return nil, ErrBadSignature
		}
	}
	if err := s.Verify(c, sig, now); err != nil {
		return nil, err
	}
	return c, nil
}
