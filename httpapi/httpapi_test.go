package httpapi

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/memory"
	"github.com/mediastore/mediastore/store/memstore"
)

func TestNew(t *testing.T) {
	t.Parallel()
	c, err := mediastore.New(memory.New(nil), memstore.New(), &mediastore.Config{MaxSize: 5 << 20})
	if err != nil {
		t.Fatal(err)
	}
	auth := func(*http.Request) (string, error) { return "u", nil }
	for _, tc := range []struct {
		c   *mediastore.Client
		cfg Config
	}{
		{nil, Config{Authenticate: auth}},
		{c, Config{}},
		{c, Config{Authenticate: auth, MaxBodyBytes: -1}},
		{c, Config{Authenticate: auth, MaxJSONBytes: -1}},
	} {
		if _, err := New(tc.c, tc.cfg); err == nil || !strings.HasPrefix(err.Error(), "mediastore: ") {
			t.Errorf("New(%v, %+v) error = %v", tc.c != nil, tc.cfg, err)
		}
	}
	h, err := New(c, Config{Authenticate: auth})
	if err != nil {
		t.Fatal(err)
	}
	if h.cfg.MaxBodyBytes != 6<<20 || h.cfg.MaxJSONBytes != 64<<10 {
		t.Fatalf("defaults: MaxBodyBytes %d, MaxJSONBytes %d", h.cfg.MaxBodyBytes, h.cfg.MaxJSONBytes)
	}
}

func TestRouting(t *testing.T) {
	t.Parallel()

	t.Run("UnknownPathAndMethod", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		st, body := b.do(t, http.MethodGet, "/nope", "alice", "", nil)
		wantError(t, st, body, http.StatusNotFound, "no such endpoint")
		st, body = b.do(t, http.MethodGet, "/files/", "alice", "", nil)
		wantError(t, st, body, http.StatusNotFound, "no such endpoint")

		req, _ := http.NewRequest(http.MethodPut, b.api.URL+"/files/abc", nil)
		resp, err := b.api.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(resp.Header.Get("Allow"), "DELETE") ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("PUT /files/abc = %d, Allow %q, Content-Type %q", resp.StatusCode, resp.Header.Get("Allow"), resp.Header.Get("Content-Type"))
		}
		st, body = b.do(t, http.MethodGet, "/upload", "alice", "", nil)
		wantError(t, st, body, http.StatusMethodNotAllowed, "method not allowed (allowed: POST)")
	})

	t.Run("UnderAPrefix", func(t *testing.T) {
		t.Parallel()
		b := setup(t, &setupOpts{handler: func(b *testBundle, mux *http.ServeMux) {
			mux.Handle("/media/", http.StripPrefix("/media", b.h))
		}})
		up := b.uploadFile(t, "alice", "a.png", pngData(10))
		st, body := b.do(t, http.MethodGet, "/media/files/"+up.File.ID, "alice", "", nil)
		wantStatus(t, st, body, http.StatusOK)
		ctype, form := form(t, part{name: "file", filename: "b.png", value: pngData(10)})
		st, body = b.do(t, http.MethodPost, "/media/upload", "alice", ctype, strings.NewReader(string(form)))
		wantStatus(t, st, body, http.StatusOK)
		st, body = b.do(t, http.MethodGet, "/media/files", "alice", "", nil)
		wantStatus(t, st, body, http.StatusOK)
		if n := len(decode[ListResponse](t, body).Files); n != 2 {
			t.Fatalf("listed %d files", n)
		}
	})

	t.Run("ForeignRouter", func(t *testing.T) {
		t.Parallel()
		b := setup(t, &setupOpts{handler: func(b *testBundle, mux *http.ServeMux) {
			mux.HandleFunc("GET /api/v2/media/{id}", b.h.GetFile)
		}})
		up := b.uploadFile(t, "alice", "a.png", pngData(10))
		b.logs.Reset()
		st, body := b.do(t, http.MethodGet, "/api/v2/media/"+up.File.ID, "alice", "", nil)
		wantStatus(t, st, body, http.StatusOK)
		st, body = b.do(t, http.MethodGet, "/files/"+up.File.ID, "alice", "", nil)
		wantStatus(t, st, body, http.StatusOK)
		if lines := b.logLines(t); len(lines) != 2 {
			t.Fatalf("%d log lines for two requests: %v", len(lines), lines)
		}
	})

	t.Run("AuthenticatorErrors", func(t *testing.T) {
		t.Parallel()
		b := setup(t, &setupOpts{config: func(c *Config) {
			c.Authenticate = func(r *http.Request) (string, error) {
				switch r.Header.Get("X-User-ID") {
				case "banned":
					return "", mediastore.NewError("auth", "", "", mediastore.ErrForbidden, errors.New("banned for spam"))
				case "":
					return "", errors.New("token expired: eyJhbGciOi")
				case "empty":
					return "", nil
				}
				return r.Header.Get("X-User-ID"), nil
			}
		}})
		st, body := b.do(t, http.MethodGet, "/files", "banned", "", nil)
		wantError(t, st, body, http.StatusForbidden, "you are not allowed to do this")
		for _, user := range []string{"", "empty"} {
			st, body = b.do(t, http.MethodGet, "/files", user, "", nil)
			wantError(t, st, body, http.StatusUnauthorized, "authentication required")
		}
		if strings.Contains(b.logs.String(), "eyJhbGciOi") || strings.Contains(b.logs.String(), "spam") {
			t.Fatalf("the log holds the authenticator's error: %s", b.logs.String())
		}
	})
}

func TestLogging(t *testing.T) {
	t.Parallel()

	t.Run("OneLinePerRequestWithoutSecrets", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		up := b.uploadFile(t, "alice", "a.png", pngData(10))
		b.logs.Reset()

		const secret = "Bearer sk_live_51HtopSECRETvalue"
		req, _ := http.NewRequest(http.MethodGet, b.api.URL+"/files?cursor=SECRETCURSOR&limit=5", nil)
		req.Header.Set("Authorization", secret)
		req.Header.Set("Cookie", "session=SECRETCOOKIE")
		req.Header.Set("X-User-ID", "alice")
		st, body := send(t, b.api.Client(), req)
		wantStatus(t, st, body, http.StatusBadRequest)

		req, _ = http.NewRequest(http.MethodGet, b.api.URL+"/files/"+up.File.ID+"/url", nil)
		req.Header.Set("Authorization", secret)
		req.Header.Set("X-User-ID", "alice")
		resp, err := b.api.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		signed := resp.Header.Get("X-Request-ID")

		out := b.logs.String()
		for _, s := range []string{"sk_live", "SECRET", "test-secret", "exp=", "sig="} {
			if strings.Contains(out, s) {
				t.Fatalf("log holds %q:\n%s", s, out)
			}
		}
		lines := b.logLines(t)
		if len(lines) != 2 {
			t.Fatalf("%d lines for 2 requests:\n%s", len(lines), out)
		}
		l := lines[0]
		if l["method"] != "GET" || l["path"] != "/files" || l["status"] != float64(400) || l["error"] != listInvalid ||
			l["request_id"] == "" || l["duration"] == nil || l["bytes"] == nil || l["level"] != "INFO" {
			t.Fatalf("log line = %v", l)
		}
		if lines[1]["request_id"] != signed || lines[1]["status"] != float64(200) || lines[1]["bytes"].(float64) < 50 {
			t.Fatalf("log line = %v, response id %q", lines[1], signed)
		}
	})

	t.Run("ServerErrorsLogTheirCause", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		rec := httptest.NewRecorder()
		b.h.serve(rec, httptest.NewRequest(http.MethodGet, "/x", nil), func(w *respWriter, r *http.Request) error {
			return mediastore.NewError("Op", "memory", "u/alice/k.png", mediastore.ErrStore, errors.New("connection refused"))
		})
		if rec.Code != 500 || strings.Contains(rec.Body.String(), "refused") {
			t.Fatalf("answer = %d %s", rec.Code, rec.Body.String())
		}
		l := b.logLines(t)
		if len(l) != 1 || l[0]["level"] != "ERROR" || !strings.Contains(l[0]["cause"].(string), "connection refused") {
			t.Fatalf("log = %v", l)
		}
	})

	t.Run("RequestID", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		for _, tc := range []struct {
			in   string
			keep bool
		}{
			{"abc-123_x.y:z", true},
			{strings.Repeat("a", 64), true},
			{strings.Repeat("a", 65), false},
			{"has space", false},
			{"semi;colon", false},
			{"", false},
		} {
			req, _ := http.NewRequest(http.MethodGet, b.api.URL+"/files", nil)
			req.Header.Set("X-User-ID", "alice")
			if tc.in != "" {
				req.Header.Set("X-Request-ID", tc.in)
			}
			resp, err := b.api.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := resp.Header.Get("X-Request-ID")
			if tc.keep != (got == tc.in) || !saneRequestID(got) {
				t.Errorf("X-Request-ID %q answered %q", tc.in, got)
			}
		}
	})

	t.Run("Panic", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("the panic was swallowed")
				}
			}()
			b.h.serve(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil), func(w *respWriter, r *http.Request) error {
				panic("boom")
			})
		}()
		l := b.logLines(t)
		if len(l) != 1 || l[0]["status"] != float64(500) || l[0]["panic"] != true {
			t.Fatalf("log = %v", l)
		}
	})
}

func TestHumanSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{
		100 << 20: "100 MB", 1 << 30: "1 GB", 3 << 29: "1.5 GB", 64 << 10: "64 KB", 1500: "1.5 KB",
		1000: "1000 bytes", 25*(1<<20) + 1: "25.0 MB", 0: "0 bytes",
	} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}
