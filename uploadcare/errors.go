package uploadcare

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/mediastore/mediastore"
)

// maxErrorBody bounds the part of an error response kept in an [HTTPError].
const maxErrorBody = 256

// HTTPError is an error response from Uploadcare. It is the cause (reach it
// with errors.As) of the *mediastore.Error that Provider methods return.
type HTTPError struct {
	// Status is the HTTP status code.
	Status int
	// Message is the error text: the "detail" of a REST API error, the
	// text/plain body of an Upload API error, truncated. It never holds
	// credentials.
	Message string
}

// Error formats the status and message.
func (e *HTTPError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("uploadcare: HTTP %d", e.Status)
	}
	return fmt.Sprintf("uploadcare: HTTP %d: %s", e.Status, e.Message)
}

// interpretError turns a failed response into the library's vocabulary:
// 404 is ErrNotFound, 413 ErrTooLarge, anything else ErrProvider. It reads
// and closes nothing: the caller closes resp.Body.
func (p *Provider) interpretError(op, key string, resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	msg := strings.TrimSpace(string(body))
	var rest struct {
		Detail string `json:"detail"`
		Error  struct {
			Content string `json:"content"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &rest) == nil {
		msg = cmp.Or(rest.Detail, rest.Error.Content, msg)
	}
	msg = p.scrub(truncate(msg, maxErrorBody))
	kind := mediastore.ErrProvider
	switch resp.StatusCode {
	case http.StatusNotFound:
		kind = mediastore.ErrNotFound
	case http.StatusRequestEntityTooLarge:
		kind = mediastore.ErrTooLarge
	}
	return mediastore.NewError(op, Name, key, kind, &HTTPError{Status: resp.StatusCode, Message: msg})
}

// transportError wraps a failure to get a response. The request URL is
// dropped (presigned part URLs carry signatures) and the message is
// scrubbed, as the cause may quote a malformed response line; the cause
// chain, with context.Canceled and the like, is kept.
func (p *Provider) transportError(op, key, what string, err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return mediastore.NewError(op, Name, key, mediastore.ErrProvider, &scrubbedError{msg: what + ": " + p.scrub(err.Error()), err: err})
}

// scrubbedError shows msg, a scrubbed account of err, and unwraps to err.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// scrub removes the credentials from s, should a response ever echo them.
func (p *Provider) scrub(s string) string {
	for _, secret := range []string{p.cfg.SecretKey, p.cfg.SecureDeliverySecret} {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "..."
}
