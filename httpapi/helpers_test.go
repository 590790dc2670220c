package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/memory"
	"github.com/mediastore/mediastore/store/memstore"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testBundle is one API server over a real Client, memory provider and
// memstore.
type testBundle struct {
	h      *Handler
	client *mediastore.Client
	mem    *memory.Provider
	store  *memstore.Store
	api    *httptest.Server // h at "/", plus the guide-shaped routes
	objs   *httptest.Server // the memory provider's URLs and tickets
	logs   *syncBuffer
}

type setupOpts struct {
	public  bool                                       // memory provider serves public URLs
	wrap    func(*memory.Provider) mediastore.Provider // replaces the provider given to the Client
	client  mediastore.Config                          // Client config
	config  func(*Config)                              // edits the handler config
	handler func(b *testBundle, mux *http.ServeMux)    // extra routes
}

// testAuth is the tests' authenticator: the X-User-ID header, required.
func testAuth(r *http.Request) (string, error) {
	if id := r.Header.Get("X-User-ID"); id != "" {
		return id, nil
	}
	return "", errors.New("no X-User-ID header (secret detail: hunter2)")
}

func setup(t testing.TB, o *setupOpts) *testBundle {
	t.Helper()
	if o == nil {
		o = &setupOpts{}
	}
	b := &testBundle{store: memstore.New(), logs: &syncBuffer{}}
	b.objs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { b.mem.ServeHTTP(w, r) }))
	t.Cleanup(b.objs.Close)
	b.mem = memory.New(&memory.Config{BaseURL: b.objs.URL, Public: o.public, Secret: []byte("test-secret-0123456789")})
	var p mediastore.Provider = b.mem
	if o.wrap != nil {
		p = o.wrap(b.mem)
	}
	cc := o.client
	var err error
	b.client, err = mediastore.New(p, b.store, &cc)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Authenticate: testAuth, Logger: slog.New(slog.NewJSONHandler(b.logs, nil))}
	if o.config != nil {
		o.config(&cfg)
	}
	b.h, err = New(b.client, cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", b.h)
	mux.HandleFunc("POST /presign-upload", b.h.PresignUpload)
	mux.HandleFunc("POST /save-metadata", b.h.SaveMetadata)
	mux.HandleFunc("GET /generate-signature", b.h.GenerateSignature)
	mux.HandleFunc("POST /save-cloudinary-metadata", b.h.SaveCloudinaryMetadata)
	if o.handler != nil {
		o.handler(b, mux)
	}
	b.api = httptest.NewServer(mux)
	t.Cleanup(b.api.Close)
	return b
}

// do sends a request as user ("" for none) and returns the status and body.
func (b *testBundle) do(t *testing.T, method, path, user, ctype string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, b.api.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.Header.Set("X-User-ID", user)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return send(t, b.api.Client(), req)
}

func send(t testing.TB, c *http.Client, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}

// postJSON posts v (a string is sent verbatim) as JSON.
func (b *testBundle) postJSON(t *testing.T, path, user string, v any) (int, []byte) {
	t.Helper()
	var body []byte
	if s, ok := v.(string); ok {
		body = []byte(s)
	} else {
		var err error
		if body, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	return b.do(t, http.MethodPost, path, user, "application/json", bytes.NewReader(body))
}

// decode unmarshals a response body, failing the test on malformed JSON.
func decode[T any](t testing.TB, data []byte) *T {
	t.Helper()
	v := new(T)
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, data)
	}
	return v
}

// wantStatus checks a status, and for failures the error envelope.
func wantStatus(t *testing.T, got int, body []byte, want int) {
	t.Helper()
	if got != want {
		t.Fatalf("status = %d, want %d; body %s", got, want, body)
	}
	if want >= 400 {
		e := decode[ErrorResponse](t, body)
		if e.Success || e.Error == "" {
			t.Fatalf("error body = %s, want success false and a sentence", body)
		}
	} else if !decode[OKResponse](t, body).Success {
		t.Fatalf("body = %s, want success true", body)
	}
}

// wantError checks a failure's status and exact sentence.
func wantError(t *testing.T, got int, body []byte, want int, sentence string) {
	t.Helper()
	wantStatus(t, got, body, want)
	if e := decode[ErrorResponse](t, body); e.Error != sentence {
		t.Fatalf("error = %q, want %q", e.Error, sentence)
	}
}

// part is one field of a multipart body; filename marks a file part.
type part struct{ name, filename, value string }

func form(t testing.TB, parts ...part) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.filename != "" {
			w, err = mw.CreateFormFile(p.name, p.filename)
		} else {
			w, err = mw.CreateFormField(p.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p.value)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), buf.Bytes()
}

// upload posts a multipart form as user.
func (b *testBundle) upload(t *testing.T, user string, parts ...part) (int, []byte) {
	t.Helper()
	ctype, body := form(t, parts...)
	return b.do(t, http.MethodPost, "/upload", user, ctype, bytes.NewReader(body))
}

// uploadFile uploads content as user and returns the new file.
func (b *testBundle) uploadFile(t *testing.T, user, name, content string) *UploadResponse {
	t.Helper()
	st, body := b.upload(t, user, part{name: "file", filename: name, value: content})
	wantStatus(t, st, body, http.StatusOK)
	return decode[UploadResponse](t, body)
}

// pngData returns n bytes that sniff as image/png.
func pngData(n int) string {
	const sig = "\x89PNG\r\n\x1a\n"
	return sig + strings.Repeat("p", max(n-len(sig), 0))
}

// counts reports the rows of owner by status and the provider's objects.
type counts struct{ ready, pending, deleting, objects int }

func (b *testBundle) counts(t testing.TB, owner string) counts {
	t.Helper()
	ctx := context.Background()
	var c counts
	for _, st := range []mediastore.Status{mediastore.StatusReady, mediastore.StatusPending, mediastore.StatusDeleting} {
		res, err := b.store.List(ctx, &mediastore.ListParams{Owner: owner, Status: st, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		switch st {
		case mediastore.StatusReady:
			c.ready = len(res.Files)
		case mediastore.StatusPending:
			c.pending = len(res.Files)
		default:
			c.deleting = len(res.Files)
		}
	}
	for _, err := range b.mem.ListObjects(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		c.objects++
	}
	return c
}

func (b *testBundle) wantCounts(t testing.TB, owner string, want counts) {
	t.Helper()
	if got := b.counts(t, owner); got != want {
		t.Fatalf("rows and objects = %+v, want %+v", got, want)
	}
}

// fetch GETs a URL of the provider and returns the status and body.
func (b *testBundle) fetch(t *testing.T, u string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return send(t, b.objs.Client(), req)
}

// putTicket executes a PUT ticket with content.
func (b *testBundle) putTicket(t testing.TB, tk *mediastore.Ticket, content string) int {
	t.Helper()
	req, err := http.NewRequest(tk.Method, tk.URL, strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range tk.Headers {
		req.Header[k] = vs
	}
	st, _ := send(t, b.objs.Client(), req)
	return st
}

// logLines returns the handler's log lines, parsed.
func (b *testBundle) logLines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.logs.String()), "\n") {
		if line == "" {
			continue
		}
		m := map[string]any{}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
		out = append(out, m)
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Reset()
}

// putObserver wraps a provider's Put; it hides the optional capabilities.
type putObserver struct {
	mediastore.Provider
	put func(ctx context.Context, key string, r io.Reader, opts *mediastore.PutOptions) (*mediastore.Object, error)
}

func (p *putObserver) Put(ctx context.Context, key string, r io.Reader, opts *mediastore.PutOptions) (*mediastore.Object, error) {
	return p.put(ctx, key, r, opts)
}
