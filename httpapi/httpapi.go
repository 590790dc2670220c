package httpapi

import (
	"cmp"
	"errors"
	"log/slog"
	"net/http"

	"github.com/mediastore/mediastore"
)

// Default limits of [Config].
const (
	// DefaultMaxJSONBytes bounds JSON request bodies.
	DefaultMaxJSONBytes int64 = 64 << 10
	// DefaultFormOverhead is what a multipart upload body may hold beyond
	// the Client's MaxSize: boundaries, part headers and the small fields.
	DefaultFormOverhead int64 = 1 << 20
)

// Config configures a [Handler]. Authenticate is required; every other
// field has a documented default.
type Config struct {
	// Authenticate returns the owner of a request: the user whose files
	// the request may see and change. An error answers 401 "authentication
	// required" (403 when the error satisfies errors.Is(err,
	// mediastore.ErrForbidden)); the error's text is never sent. It is
	// called before a request body is read. Required.
	Authenticate func(r *http.Request) (owner string, err error)

	// MaxBodyBytes bounds the body of a multipart upload. Defaults to the
	// Client's MaxSize plus DefaultFormOverhead (1 MiB).
	MaxBodyBytes int64

	// MaxJSONBytes bounds JSON request bodies. Defaults to
	// DefaultMaxJSONBytes (64 KiB).
	MaxJSONBytes int64

	// Logger receives one line per request. Defaults to discarding.
	Logger *slog.Logger

	// SpoolUnsized makes an upload that states no size copy its file part
	// to a temporary file first, to learn the size, for providers that need
	// it before the first byte (Uploadcare's multipart API). The temporary
	// file is removed whatever happens. Defaults to false: the file part is
	// streamed straight to the provider.
	SpoolUnsized bool

	// TempDir is where SpoolUnsized writes. Defaults to os.TempDir().
	TempDir string
}

// Handler serves the HTTP API of one [mediastore.Client]. It is an
// http.Handler with the routes listed in the package documentation, and
// each endpoint is also an exported method for other routers. It is safe
// for concurrent use.
type Handler struct {
	c     *mediastore.Client
	cfg   Config
	log   *slog.Logger
	mux   *http.ServeMux
	errs  map[error]*apiError
	authz *apiError // the 401

}

// New returns the Handler of c. It mounts the server-side upload, list,
// get, URL and delete routes, and the generic direct-upload routes when
// the provider supports direct uploads. The guide-shaped endpoints
// (PresignUpload, SaveMetadata, GenerateSignature, SaveCloudinaryMetadata)
// are not mounted: mount them at the guides' paths yourself.
func New(c *mediastore.Client, cfg Config) (*Handler, error) {
	if c == nil {
		return nil, errors.New("mediastore: httpapi.New needs a *mediastore.Client")
	}
	if cfg.Authenticate == nil {
		return nil, errors.New("mediastore: httpapi.Config.Authenticate is required")
	}
	cfg.MaxBodyBytes = cmp.Or(cfg.MaxBodyBytes, c.Config().MaxSize+DefaultFormOverhead)
	cfg.MaxJSONBytes = cmp.Or(cfg.MaxJSONBytes, DefaultMaxJSONBytes)
	switch {
	case cfg.MaxBodyBytes < 0:
		return nil, errors.New("mediastore: httpapi.Config.MaxBodyBytes must be positive")
	case cfg.MaxJSONBytes < 0:
		return nil, errors.New("mediastore: httpapi.Config.MaxJSONBytes must be positive")
	}
	h := &Handler{c: c, cfg: cfg, log: cfg.Logger, mux: http.NewServeMux()}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.errs = errorTable(c.Config())
	h.authz = &apiError{status: http.StatusUnauthorized, msg: "authentication required"}

	h.mux.HandleFunc("POST /upload", h.Upload)
	h.mux.HandleFunc("GET /files", h.ListFiles)
	h.mux.HandleFunc("GET /files/{id}", h.GetFile)
	h.mux.HandleFunc("GET /files/{id}/url", h.FileURL)
	h.mux.HandleFunc("DELETE /files/{id}", h.DeleteFile)
	if c.Supports(mediastore.CapDirectUpload) {
		h.mux.HandleFunc("POST /uploads", h.PrepareUpload)
		h.mux.HandleFunc("POST /uploads/confirm", h.ConfirmUpload)
	}
	return h, nil
}

// ServeHTTP routes r to the mounted endpoints. A path that no route
// serves answers 404 and a method the path does not allow answers 405
// (with an Allow header), both in the JSON error envelope.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rw := h.begin(w, r)
	defer h.end(rw, r)
	h.mux.ServeHTTP(rw, r)
}

// authenticate returns the owner of r, or the 401/403 to answer.
func (h *Handler) authenticate(r *http.Request) (string, error) {
	owner, err := h.cfg.Authenticate(r)
	switch {
	case err != nil && errors.Is(err, mediastore.ErrForbidden):
		return "", &apiError{status: http.StatusForbidden, msg: "you are not allowed to do this", cause: err}
	case err != nil:
		return "", &apiError{status: h.authz.status, msg: h.authz.msg, cause: err}
	case owner == "":
		return "", h.authz
	}
	return owner, nil
}
