package httpapi

import (
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// endpoint is the body of an exported handler. It answers success itself
// and returns the failure to answer otherwise.
type endpoint func(w *respWriter, r *http.Request) error

// respWriter records what a request answered, for its log line, and turns
// the router's own 404 and 405 into the JSON envelope.
type respWriter struct {
	http.ResponseWriter
	h       *Handler
	id      string
	start   time.Time
	status  int
	bytes   int64
	claimed bool // an endpoint answers this request
	swallow bool // the body was replaced by the JSON envelope
	failure *apiError
	warning string
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *respWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// WriteHeader records the status. Before an endpoint claims the request,
// an error status comes from the router and is answered in JSON.
func (w *respWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	if !w.claimed && code >= 400 {
		msg := "no such endpoint"
		if code == http.StatusMethodNotAllowed {
			msg = "method not allowed"
			if allow := w.Header().Get("Allow"); allow != "" {
				msg += " (allowed: " + allow + ")"
			}
		}
		w.swallow = true
		w.failure = &apiError{status: code, msg: msg}
		w.writeEnvelope(code, &ErrorResponse{Error: msg})
		return
	}
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Write counts the bytes of the body.
func (w *respWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.swallow {
		return len(b), nil
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// writeEnvelope writes v as the JSON response with status.
func (w *respWriter) writeEnvelope(status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(&ErrorResponse{Error: internalError.msg})
		w.failure = &apiError{status: status, msg: internalError.msg, cause: err}
	}
	b = append(b, '\n')
	hdr := w.ResponseWriter.Header()
	hdr.Set("Content-Type", "application/json; charset=utf-8")
	hdr.Set("Content-Length", strconv.Itoa(len(b)))
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	w.status = status
	w.ResponseWriter.WriteHeader(status)
	n, _ := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
}

// ok answers 200 with v.
func (w *respWriter) ok(v any) error {
	w.writeEnvelope(http.StatusOK, v)
	return nil
}

// fail answers err in the error envelope, unless the response has started.
func (w *respWriter) fail(err error) {
	e := w.h.resolve(err)
	w.failure = e
	if w.status != 0 {
		return
	}
	w.writeEnvelope(e.status, &ErrorResponse{Error: e.msg})
}

// serve runs fn as the endpoint of r, instrumenting the request unless
// ServeHTTP already does.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, fn endpoint) {
	rw, ok := w.(*respWriter)
	if !ok || rw.h != h {
		rw = h.begin(w, r)
		defer h.end(rw, r)
	}
	rw.claimed = true
	if err := fn(rw, r); err != nil {
		rw.fail(err)
	}
}

// begin starts the record of a request and sets its X-Request-ID.
func (h *Handler) begin(w http.ResponseWriter, r *http.Request) *respWriter {
	id := r.Header.Get("X-Request-ID")
	if !saneRequestID(id) {
		id = rand.Text()
	}
	w.Header().Set("X-Request-ID", id)
	return &respWriter{ResponseWriter: w, h: h, id: id, start: time.Now()}
}

// end logs the request's one line: its id, method, path (never the query,
// which may hold cursors, and never a header), status, duration and the
// bytes of the response body. A failure adds the sentence answered; a
// server-side failure (5xx) also its cause, which the library keeps free
// of secrets.
func (h *Handler) end(w *respWriter, r *http.Request) {
	panicked := recover()
	status := w.status
	switch {
	case panicked != nil && status == 0:
		status = http.StatusInternalServerError
	case status == 0:
		status = http.StatusOK
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := make([]slog.Attr, 0, 9)
	attrs = append(attrs,
		slog.String("request_id", w.id),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Duration("duration", time.Since(w.start)),
		slog.Int64("bytes", w.bytes),
	)
	if w.failure != nil {
		attrs = append(attrs, slog.String("error", w.failure.msg))
		if status >= 500 && w.failure.cause != nil {
			attrs = append(attrs, slog.String("cause", w.failure.cause.Error()))
		}
	}
	if panicked != nil {
		attrs = append(attrs, slog.Bool("panic", true))
	}
	if w.warning != "" {
		attrs = append(attrs, slog.String("warning", w.warning))
	}
	h.log.LogAttrs(r.Context(), level, "http request", attrs...)
	if panicked != nil {
		panic(panicked)
	}
}

// saneRequestID reports whether an incoming X-Request-ID may be kept: 1 to
// 64 letters, digits, '-', '_', '.' or ':'.
func saneRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}
