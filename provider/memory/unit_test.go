package memory_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/memory"
)

func TestDefaults(t *testing.T) {
	t.Parallel()
	p := memory.New(nil)
	if p.Name() != "memory" {
		t.Fatalf("Name = %q", p.Name())
	}
	u, err := p.URL(t.Context(), "a/b.txt", &mediastore.URLOptions{Expiry: time.Minute})
	if err != nil || !strings.HasPrefix(u, "http://memory.invalid/a/b.txt?") || !strings.Contains(u, "sig=") {
		t.Fatalf("URL = %q, %v", u, err)
	}
}

func TestConfigRedactsSecret(t *testing.T) {
	t.Parallel()
	cfg := memory.Config{Secret: []byte("super-secret-value-123")}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("cfg", "cfg", cfg)
	for _, s := range []string{cfg.String(), fmt.Sprint(cfg), fmt.Sprintf("%+v", &cfg), logged.String()} {
		if strings.Contains(s, "super-secret") || !strings.Contains(s, "REDACTED") {
			t.Errorf("secret not redacted: %s", s)
		}
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	p := memory.New(nil)
	ctx := t.Context()
	for _, key := range []string{"", "/a", "a/../b", "a//b", "a\x00"} {
		if _, err := p.Put(ctx, key, strings.NewReader("x"), &mediastore.PutOptions{Size: 1}); !errors.Is(err, mediastore.ErrInvalid) {
			t.Errorf("Put(%q) = %v, want ErrInvalid", key, err)
		}
		if _, err := p.URL(ctx, key, &mediastore.URLOptions{}); !errors.Is(err, mediastore.ErrInvalid) {
			t.Errorf("URL(%q) = %v, want ErrInvalid", key, err)
		}
	}
	if _, err := p.Put(ctx, "a", nil, &mediastore.PutOptions{Size: -1}); !errors.Is(err, mediastore.ErrInvalid) {
		t.Errorf("Put(nil reader) = %v, want ErrInvalid", err)
	}
	for _, tc := range []struct {
		data string
		size int64
	}{{"short", 10}, {"longer than declared", 5}} {
		if _, err := p.Put(ctx, "a", strings.NewReader(tc.data), &mediastore.PutOptions{Size: tc.size}); !errors.Is(err, mediastore.ErrInvalid) {
			t.Errorf("Put(%d bytes, Size %d) = %v, want ErrInvalid", len(tc.data), tc.size, err)
		}
	}
	if _, err := p.Stat(ctx, "a"); !errors.Is(err, mediastore.ErrNotFound) {
		t.Errorf("a failed Put stored an object: %v", err)
	}
	if _, err := p.ReadRange(ctx, "a", -1, 5); !errors.Is(err, mediastore.ErrInvalid) {
		t.Errorf("ReadRange(-1) = %v, want ErrInvalid", err)
	}
}

func TestReaderErrorKindPassesThrough(t *testing.T) {
	t.Parallel()
	p := memory.New(nil)
	tooLarge := mediastore.NewError("Upload", "", "", mediastore.ErrTooLarge, nil)
	r := io.MultiReader(strings.NewReader("abc"), iotestErr{tooLarge})
	_, err := p.Put(t.Context(), "a", r, &mediastore.PutOptions{Size: -1})
	if mediastore.KindOf(err) != mediastore.ErrTooLarge {
		t.Fatalf("Put = %v, want kind ErrTooLarge", err)
	}
}

type iotestErr struct{ err error }

func (e iotestErr) Read([]byte) (int, error) { return 0, e.err }

func TestSignedURLsExpire(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var p *memory.Provider
	srv := httptest.NewServer(p0(&p))
	defer srv.Close()
	p = memory.New(&memory.Config{BaseURL: srv.URL, Test: memory.TestConfig{Now: clock}})
	ctx := t.Context()
	if _, err := p.Put(ctx, "a/b.txt", strings.NewReader("hello"), &mediastore.PutOptions{Size: 5, ContentType: "text/plain"}); err != nil {
		t.Fatal(err)
	}
	u, err := p.URL(ctx, "a/b.txt", &mediastore.URLOptions{Expiry: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	get := func() (int, string) {
		resp, err := srv.Client().Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(); code != 200 || body != "hello" {
		t.Fatalf("GET = %d %q", code, body)
	}
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	if code, body := get(); code != http.StatusForbidden || !strings.Contains(body, "expired") {
		t.Fatalf("GET after expiry = %d %q, want 403 expired", code, body)
	}
}

// p0 serves whatever *pp points to once it is set.
func p0(pp **memory.Provider) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*pp).ServeHTTP(w, r) })
}

func TestListObjectsSorted(t *testing.T) {
	t.Parallel()
	p := memory.New(nil)
	for _, k := range []string{"u/c", "u/a", "v/a", "u/b"} {
		if _, err := p.Put(t.Context(), k, strings.NewReader(k), &mediastore.PutOptions{Size: -1}); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	for o, err := range p.ListObjects(t.Context(), "u/") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, o.Key)
	}
	if got := strings.Join(keys, ","); got != "u/a,u/b,u/c" {
		t.Fatalf("ListObjects(u/) = %s", got)
	}
}
