package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/mediastore/mediastore"
)

// apiError is a failure as the client sees it: a status and a sentence the
// user can act on. cause is for the log only and never sent.
type apiError struct {
	status int
	msg    string
	cause  error
}

func (e *apiError) Error() string { return fmt.Sprintf("mediastore: HTTP %d: %s", e.status, e.msg) }

func (e *apiError) Unwrap() error { return e.cause }

// badRequest returns a 400 with msg.
func badRequest(msg string, cause error) *apiError {
	return &apiError{status: http.StatusBadRequest, msg: msg, cause: cause}
}

// errorTable is the one map from the library's error kinds to statuses and
// sentences. The sentences name the limits of cfg, which are not secret;
// they never include an error's text.
func errorTable(cfg mediastore.Config) map[error]*apiError {
	allowed := "any type"
	if len(cfg.AllowedTypes) > 0 {
		allowed = strings.Join(cfg.AllowedTypes, ", ")
	}
	return map[error]*apiError{
		mediastore.ErrInvalid:        {status: http.StatusBadRequest, msg: "the request is not valid: check the fields you sent"},
		mediastore.ErrForbidden:      {status: http.StatusForbidden, msg: "this upload was not issued to you, its ticket has expired, or its proof does not match"},
		mediastore.ErrNotFound:       {status: http.StatusNotFound, msg: "file not found"},
		mediastore.ErrConflict:       {status: http.StatusConflict, msg: "the file was changed by another request at the same time; try again"},
		mediastore.ErrTooLarge:       {status: http.StatusRequestEntityTooLarge, msg: "file is larger than the " + humanSize(cfg.MaxSize) + " limit"},
		mediastore.ErrTypeNotAllowed: {status: http.StatusUnsupportedMediaType, msg: "this type of file is not allowed (allowed: " + allowed + ")"},
		mediastore.ErrUnsupported:    {status: http.StatusNotFound, msg: "this storage provider does not support this operation"},
		mediastore.ErrProvider:       {status: http.StatusBadGateway, msg: "the storage provider failed or could not be reached; try again later"},
		mediastore.ErrStore:          {status: http.StatusInternalServerError, msg: "the file database failed or could not be reached; try again later"},
	}
}

// internalError answers every error of no known kind.
var internalError = apiError{status: http.StatusInternalServerError, msg: "internal server error"}

// resolve returns what to answer for err.
func (h *Handler) resolve(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &apiError{status: http.StatusRequestEntityTooLarge,
			msg: "the request body is larger than the " + humanSize(mbe.Limit) + " limit", cause: err}
	}
	if k := mediastore.KindOf(err); k != nil {
		e := *h.errs[k]
		e.cause = err
		return &e
	}
	e := internalError
	e.cause = err
	return &e
}

// reword gives err, when it is of kind, a sentence that fits the endpoint.
func (h *Handler) reword(err error, kind error, msg string) error {
	if mediastore.KindOf(err) != kind {
		return err
	}
	return &apiError{status: h.errs[kind].status, msg: msg, cause: err}
}

// tooLarge is the 413 of an upload whose body broke a limit.
func (h *Handler) tooLarge(cause error) *apiError {
	e := *h.errs[mediastore.ErrTooLarge]
	e.cause = cause
	return &e
}

// humanSize formats a byte count for a sentence: "100 MB", "64 KB".
func humanSize(n int64) string {
	const kb, mb, gb = 1 << 10, 1 << 20, 1 << 30
	switch {
	case n >= gb && n%gb == 0:
		return fmt.Sprintf("%d GB", n/gb)
	case n >= gb:
		return fmt.Sprintf("%.1f GB", float64(n)/gb)
	case n >= mb && n%mb == 0:
		return fmt.Sprintf("%d MB", n/mb)
	case n >= mb:
		return fmt.Sprintf("%.1f MB", float64(n)/mb)
	case n >= kb && n%kb == 0:
		return fmt.Sprintf("%d KB", n/kb)
	case n >= kb:
		return fmt.Sprintf("%.1f KB", float64(n)/kb)
	}
	return fmt.Sprintf("%d bytes", n)
}
