package urlsign

import (
	"errors"
	"net/http"
	"time"

	"github.com/mediastore/mediastore"
)

// DefaultExpiry is the lifetime of a URL or ticket whose options give none.
const DefaultExpiry = 15 * time.Minute

// ObjectURL returns the URL of key under base: unsigned when public and not
// opts.Signed, else signed for GET and expiring after opts.Expiry.
func (s *Signer) ObjectURL(base, key string, public bool, opts *mediastore.URLOptions, now time.Time) string {
	if opts == nil {
		opts = &mediastore.URLOptions{}
	}
	if public && !opts.Signed {
		return PublicURL(base, key, opts.DownloadName)
	}
	return s.URL(base, &Claims{
		Method:       http.MethodGet,
		Key:          key,
		Expires:      expires(now, opts.Expiry),
		Size:         -1,
		DownloadName: opts.DownloadName,
	})
}

// Ticket returns a presigned PUT ticket for key under base that binds
// opts.ContentType, opts.Size (when not -1), opts.MaxSize (when positive)
// and opts.SHA256 (when set).
func (s *Signer) Ticket(base, key string, opts *mediastore.DirectOptions, now time.Time) (*mediastore.Ticket, error) {
	if opts == nil {
		opts = &mediastore.DirectOptions{Size: -1}
	}
	if opts.SHA256 != "" && !isHexSHA256(opts.SHA256) {
		return nil, errors.New("DirectOptions.SHA256 is not lowercase hex SHA-256")
	}
	if opts.Size >= 0 && opts.MaxSize > 0 && opts.Size > opts.MaxSize {
		return nil, errors.New("DirectOptions.Size exceeds DirectOptions.MaxSize")
	}
	c := &Claims{
		Method:      http.MethodPut,
		Key:         key,
		Expires:     expires(now, opts.Expiry),
		ContentType: opts.ContentType,
		Size:        max(opts.Size, -1),
		MaxSize:     max(opts.MaxSize, 0),
		SHA256:      opts.SHA256,
	}
	t := &mediastore.Ticket{
		Key:       key,
		Method:    http.MethodPut,
		URL:       s.URL(base, c),
		Headers:   http.Header{},
		ExpiresAt: c.Expires,
	}
	if c.ContentType != "" {
		t.Headers.Set("Content-Type", c.ContentType)
	}
	return t, nil
}

func expires(now time.Time, d time.Duration) time.Time {
	if d <= 0 {
		d = DefaultExpiry
	}
	// Round up to the whole second the URL carries, so that a URL is never
	// shorter-lived than asked.
	return now.Add(d + time.Second - 1).Truncate(time.Second)
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
