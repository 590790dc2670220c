package uploadcarefake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Options configures a fake project.
type Options struct {
	// PublicKey and SecretKey are the project's keys. Default to
	// "demopublickey" and "demosecretkey".
	PublicKey, SecretKey string
	// SignedUploads requires a signature on every upload, as projects with
	// signed uploads enabled do.
	SignedUploads bool
	// SecureDeliverySecret, a hex key, makes the CDN require signed URLs.
	SecureDeliverySecret string
	// AutoStoreOff keeps files uploaded with UPLOADCARE_STORE=auto (or
	// without the field) temporary, as in projects with auto-store off.
	// By default they are stored, as in projects created since 2024.
	AutoStoreOff bool
	// BaseLimit is the largest file /base/ accepts. Defaults to 100 MB.
	BaseLimit int64
	// DiscardContent keeps of each file only its size and its first 512
	// bytes (enough to sniff its type and read image dimensions), so that
	// gigabytes can be uploaded without the fake holding them; Content and
	// the CDN then serve those first bytes only. Defaults to false.
	DiscardContent bool
	// Now is the fake's clock. Defaults to time.Now.
	Now func() time.Time
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// UploadURL, APIURL and CDNURL are the base URLs of the three services.
	UploadURL, APIURL, CDNURL string

	opts                Options
	upload, api, cdn    *httptest.Server
	received            atomic.Int64
	failParts, failInfo atomic.Int64

	mu      sync.Mutex
	files   map[string]*file
	uploads map[string]*multipartUpload
}

// File is what the fake holds about one file.
type File struct {
	UUID             string
	Size             int64
	MimeType         string
	OriginalFilename string
	Metadata         map[string]string
	// Stored is false for a temporary file.
	Stored bool
	// Removed is set for deleted and expired files.
	Removed  bool
	Uploaded time.Time
	// Multipart tells that the file came through the multipart API.
	Multipart bool
}

type file struct {
	File
	data          []byte
	stored        time.Time
	removed       time.Time
	isImage       bool
	format        string
	width, height int
}

// New starts a fake. Close it when done.
func New(opts Options) *Server {
	if opts.PublicKey == "" {
		opts.PublicKey = "demopublickey"
	}
	if opts.SecretKey == "" {
		opts.SecretKey = "demosecretkey"
	}
	if opts.BaseLimit == 0 {
		opts.BaseLimit = 100_000_000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, files: map[string]*file{}, uploads: map[string]*multipartUpload{}}
	s.upload = httptest.NewServer(s.uploadHandler())
	s.api = httptest.NewServer(s.apiHandler())
	s.cdn = httptest.NewServer(s.cdnHandler())
	s.UploadURL, s.APIURL, s.CDNURL = s.upload.URL, s.api.URL, s.cdn.URL
	return s
}

// Start starts a fake that is closed when the test ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := New(opts)
	tb.Cleanup(s.Close)
	return s
}

// Close stops the three servers, waiting for requests in flight.
func (s *Server) Close() {
	s.upload.Close()
	s.api.Close()
	s.cdn.Close()
}

// PublicKey returns the project's public key.
func (s *Server) PublicKey() string { return s.opts.PublicKey }

// SecretKey returns the project's secret key.
func (s *Server) SecretKey() string { return s.opts.SecretKey }

// Received returns how many bytes of file content the Upload API has
// read so far (from /base/ file parts and multipart part PUTs).
func (s *Server) Received() int64 { return s.received.Load() }

// FailNextParts makes the next n multipart part PUTs answer 500.
func (s *Server) FailNextParts(n int) { s.failParts.Store(int64(n)) }

// FailNextInfo makes the next n GET /info/ requests answer 500.
func (s *Server) FailNextInfo(n int) { s.failInfo.Store(int64(n)) }

// Files returns every file the project holds or held, oldest first.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]File, 0, len(s.files))
	for _, f := range s.files {
		out = append(out, f.snapshot())
	}
	slices.SortFunc(out, func(a, b File) int {
		if c := a.Uploaded.Compare(b.Uploaded); c != 0 {
			return c
		}
		return strings.Compare(a.UUID, b.UUID)
	})
	return out
}

// File returns the file uuid.
func (s *Server) File(uuid string) (File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[uuid]
	if !ok {
		return File{}, false
	}
	return f.snapshot(), true
}

// Content returns the bytes of the file uuid, unless it is removed.
func (s *Server) Content(uuid string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[uuid]
	if !ok || f.Removed {
		return nil, false
	}
	return slices.Clone(f.data), true
}

// ExpireTemporary does what Uploadcare does 24 hours after an upload: it
// removes every temporary (never stored) file and returns their UUIDs.
func (s *Server) ExpireTemporary() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var gone []string
	for _, f := range s.files {
		if !f.Stored && !f.Removed {
			f.remove(s.opts.Now())
			gone = append(gone, f.UUID)
		}
	}
	slices.Sort(gone)
	return gone
}

func (f *file) snapshot() File {
	c := f.File
	c.Metadata = make(map[string]string, len(f.Metadata))
	for k, v := range f.Metadata {
		c.Metadata[k] = v
	}
	return c
}

func (f *file) remove(now time.Time) {
	f.Removed, f.removed, f.data = true, now, nil
	f.Stored, f.stored = false, time.Time{}
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// textError answers an Upload API error.
func textError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprint(w, msg)
}

// jsonError answers a REST API error.
func jsonError(w http.ResponseWriter, status int, detail string) {
	writeJSON(w, status, map[string]string{"detail": detail})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// stamp formats a time as Uploadcare does.
func stamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}
