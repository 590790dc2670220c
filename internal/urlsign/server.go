package urlsign

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/mediastore/mediastore"
)

// Content is an object opened for serving.
type Content struct {
	// Body is the object's bytes; the Server closes it.
	Body io.ReadSeekCloser
	// ContentType is the stored type, or "" to let http.ServeContent sniff.
	ContentType string
	// SHA256 is the lowercase hex checksum, sent as the ETag when set.
	SHA256 string
	// ModTime is when the object was written.
	ModTime time.Time
}

// Upload is what a signed PUT asks the store to write.
type Upload struct {
	// Size is the exact body length, or -1 when unknown.
	Size int64
	// ContentType is the type to store.
	ContentType string
	// SHA256, when set, is the checksum the body must have.
	SHA256 string
}

// Server serves the signed URLs of a provider. Open and Put are the
// provider's storage; Put must write atomically (nothing visible unless it
// returns nil) and must fail with an ErrInvalid error when the body's length
// differs from Upload.Size or its checksum from Upload.SHA256, and with the
// reader's error when reading fails.
type Server struct {
	// Signer checks the signatures.
	Signer *Signer
	// Public serves GET and HEAD without a signature. PUT always needs one.
	Public bool
	// Now is the clock signatures are checked against.
	Now func() time.Time
	// Open opens key for GET and HEAD; a missing key is an ErrNotFound error.
	Open func(ctx context.Context, key string) (*Content, error)
	// Put stores an accepted upload.
	Put func(ctx context.Context, key string, r io.Reader, u *Upload) error
}

// ServeHTTP serves GET and HEAD of an object and PUT of a direct upload. The
// key is the request path without its leading slash, so mount the server
// with http.StripPrefix.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		s.serveGet(w, r, key)
	case http.MethodPut:
		s.servePut(w, r, key)
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT")
		http.Error(w, "mediastore: method not allowed", http.StatusMethodNotAllowed)
	}
}

func (s *Server) serveGet(w http.ResponseWriter, r *http.Request, key string) {
	if CheckKey(key) != nil {
		http.Error(w, "mediastore: invalid key", http.StatusBadRequest)
		return
	}
	name := r.URL.Query().Get(paramName)
	if !s.Public {
		c, err := s.Signer.VerifyQuery(http.MethodGet, key, r.URL.Query(), s.Now())
		if err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		name = c.DownloadName
	}
	c, err := s.Open(r.Context(), key)
	if err != nil {
		writeError(w, err)
		return
	}
	defer c.Body.Close()
	h := w.Header()
	if c.ContentType != "" {
		h.Set("Content-Type", c.ContentType)
	}
	if c.SHA256 != "" {
		h.Set("ETag", `"`+c.SHA256+`"`)
	}
	if name != "" {
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	}
	// The bytes are user content: never let a browser run or re-type them.
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	http.ServeContent(w, r, "", c.ModTime, c.Body)
}

func (s *Server) servePut(w http.ResponseWriter, r *http.Request, key string) {
	if CheckKey(key) != nil {
		http.Error(w, "mediastore: invalid key", http.StatusBadRequest)
		return
	}
	c, err := s.Signer.VerifyQuery(http.MethodPut, key, r.URL.Query(), s.Now())
	if err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	ct := r.Header.Get("Content-Type")
	if c.ContentType != "" && ct != c.ContentType {
		http.Error(w, "mediastore: content type differs from the ticket", http.StatusForbidden)
		return
	}
	if c.Size >= 0 && r.ContentLength != c.Size {
		http.Error(w, "mediastore: content length differs from the ticket", http.StatusForbidden)
		return
	}
	if c.MaxSize > 0 && r.ContentLength > c.MaxSize {
		http.Error(w, "mediastore: body exceeds the ticket's size limit", http.StatusRequestEntityTooLarge)
		return
	}
	// A ticket uploads once: an object already there (a confirmed upload)
	// is never replaced through its ticket.
	if obj, err := s.Open(r.Context(), key); err == nil {
		obj.Body.Close()
		http.Error(w, "mediastore: the ticket's upload is already done", http.StatusPreconditionFailed)
		return
	} else if !errors.Is(err, mediastore.ErrNotFound) {
		writeError(w, err)
		return
	}
	var body io.Reader = r.Body
	if c.MaxSize > 0 {
		body = &limitReader{r: r.Body, left: c.MaxSize}
	}
	err = s.Put(r.Context(), key, body, &Upload{Size: r.ContentLength, ContentType: ct, SHA256: c.SHA256})
	if err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// writeError answers with the status of err's kind and a fixed text that
// never repeats the cause.
func writeError(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, mediastore.ErrNotFound):
		code = http.StatusNotFound
	case errors.Is(err, mediastore.ErrTooLarge):
		code = http.StatusRequestEntityTooLarge
	case errors.Is(err, mediastore.ErrInvalid):
		code = http.StatusBadRequest
	case errors.Is(err, mediastore.ErrForbidden):
		code = http.StatusForbidden
	case errors.Is(err, mediastore.ErrConflict):
		code = http.StatusConflict
	}
	http.Error(w, "mediastore: "+strings.ToLower(http.StatusText(code)), code)
}

// errTooLarge is the error of a body longer than its ticket allows.
var errTooLarge = fmt.Errorf("%w: body exceeds the ticket's size limit", mediastore.ErrTooLarge)

// limitReader fails with errTooLarge once more than left bytes are read.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	if int64(n) > l.left {
		return int(l.left), errTooLarge
	}
	l.left -= int64(n)
	return n, err
}
