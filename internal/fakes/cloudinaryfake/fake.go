package cloudinaryfake

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Options configure a Server. Zero fields take the documented defaults.
type Options struct {
	// CloudName is the only cloud the server answers for. Defaults to
	// "fakecloud".
	CloudName string
	// APIKey and APISecret are the only credentials it accepts. Default
	// to "123456789012345" and "fake-api-secret".
	APIKey, APISecret string
	// SignatureAlgorithm is the product environment's: "sha1" or
	// "sha256". Defaults to "sha1".
	SignatureAlgorithm string
	// MaxRequestBytes is the largest upload request body; larger ones get
	// 413, as Cloudinary does above 100 MB. Defaults to 100 MB.
	MaxRequestBytes int64
	// MinChunkBytes is the smallest part of a chunked upload but the last.
	// Defaults to 5 MiB.
	MinChunkBytes int64
	// Now is the server's clock. Defaults to time.Now.
	Now func() time.Time
}

// Asset is one stored asset.
type Asset struct {
	PublicID, ResourceType, Type, Format string
	Version                              int64
	VersionID, AssetID, ETag             string
	Width, Height                        int
	ContentType                          string
	OriginalFilename                     string
	CreatedAt                            time.Time
	Data                                 []byte
}

// LogEntry records one request the server answered.
type LogEntry struct {
	Method, Path string
	// ContentType is the request's Content-Type header ("" when absent).
	ContentType string
	// ContentRange and UploadID are the chunked upload headers.
	ContentRange, UploadID string
	// FileBytes is the size of the file part of an upload.
	FileBytes int
	// Status is the HTTP status of the answer.
	Status int
	// Error is Cloudinary's error message, if any.
	Error string
}

type assetKey struct{ resourceType, typ, publicID string }

type chunked struct {
	data []byte
}

// Server is a fake Cloudinary: Upload API (upload with chunking, destroy),
// Admin API (get resource) and delivery, on one httptest server at
// 127.0.0.1. Point the API prefix (upload_prefix) and the delivery base
// URL at Server.URL.
type Server struct {
	// URL is the base URL of the API and of delivery.
	URL string

	opts Options
	srv  *httptest.Server

	mu          sync.Mutex
	assets      map[assetKey]*Asset
	chunks      map[string]*chunked
	log         []LogEntry
	lastVersion int64
}

// Start starts a Server and closes it when tb's test ends. opts may be nil.
func Start(tb testing.TB, opts *Options) *Server {
	tb.Helper()
	s := New(opts)
	tb.Cleanup(s.Close)
	return s
}

// New starts a Server; Close stops it. opts may be nil.
func New(opts *Options) *Server {
	var o Options
	if opts != nil {
		o = *opts
	}
	o.CloudName = cmp.Or(o.CloudName, "fakecloud")
	o.APIKey = cmp.Or(o.APIKey, "123456789012345")
	o.APISecret = cmp.Or(o.APISecret, "fake-api-secret")
	o.SignatureAlgorithm = cmp.Or(o.SignatureAlgorithm, "sha1")
	o.MaxRequestBytes = cmp.Or(o.MaxRequestBytes, 100_000_000)
	o.MinChunkBytes = cmp.Or(o.MinChunkBytes, 5<<20)
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{opts: o, assets: map[assetKey]*Asset{}, chunks: map[string]*chunked{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1_1/{cloud}/{rt}/upload", s.handleUpload)
	mux.HandleFunc("POST /v1_1/{cloud}/{rt}/destroy", s.handleDestroy)
	mux.HandleFunc("GET /v1_1/{cloud}/resources/{rt}/{type}/{id...}", s.handleGetResource)
	mux.HandleFunc("GET /{cloud}/{rt}/{type}/{rest...}", s.handleDelivery)
	s.srv = httptest.NewServer(s.logged(mux))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Options returns the server's options with the defaults applied: the
// credentials to configure a client with.
func (s *Server) Options() Options { return s.opts }

// Asset returns a copy of the stored asset, if there is one.
func (s *Server) Asset(resourceType, typ, publicID string) (Asset, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.assets[assetKey{resourceType, typ, publicID}]
	if !ok {
		return Asset{}, false
	}
	c := *a
	c.Data = append([]byte(nil), a.Data...)
	return c, true
}

// Len is the number of stored assets.
func (s *Server) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.assets)
}

// Log returns the requests answered so far.
func (s *Server) Log() []LogEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]LogEntry(nil), s.log...)
}

// NotificationHeaders returns the X-Cld-Timestamp and X-Cld-Signature
// headers Cloudinary sends with a notification of body at the server's
// current time.
func (s *Server) NotificationHeaders(body []byte) http.Header {
	ts := s.opts.Now().Unix()
	h := http.Header{}
	h.Set("X-Cld-Timestamp", fmt.Sprint(ts))
	h.Set("X-Cld-Signature", NotificationSignature(body, ts, s.opts.APISecret, s.opts.SignatureAlgorithm))
	return h
}

// statusRecorder keeps the status and error of an answer for the log.
type statusRecorder struct {
	http.ResponseWriter
	status    int
	errMsg    string
	fileBytes int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (s *Server) logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		s.mu.Lock()
		s.log = append(s.log, LogEntry{
			Method: r.Method, Path: r.URL.Path,
			ContentType:  r.Header.Get("Content-Type"),
			ContentRange: r.Header.Get("Content-Range"),
			UploadID:     r.Header.Get("X-Unique-Upload-Id"),
			FileBytes:    rec.fileBytes,
			Status:       rec.status,
			Error:        rec.errMsg,
		})
		s.mu.Unlock()
	})
}

// apiError answers with Cloudinary's error shape.
func apiError(w http.ResponseWriter, status int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if rec, ok := w.(*statusRecorder); ok {
		rec.errMsg = msg
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// nextVersion is the version of a new upload: its unix time, kept
// increasing.
func (s *Server) nextVersion(now time.Time) int64 {
	v := max(now.Unix(), s.lastVersion+1)
	s.lastVersion = v
	return v
}
