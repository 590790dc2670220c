package disk_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.uber.org/goleak"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/disk"
	"github.com/mediastore/mediastore/provider/providertest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// harness serves a disk Provider in a temp folder from an httptest server
// on 127.0.0.1, mounted under /media.
type harness struct {
	cfg    disk.Config
	client *http.Client
}

func (h *harness) MakeProvider(ctx context.Context, t *testing.T) mediastore.Provider {
	p, srv := newServed(t, h.cfg)
	h.client = srv.Client()
	return p
}

func (h *harness) HTTPClient() *http.Client { return h.client }

func (h *harness) Options() providertest.Options {
	return providertest.Options{VerifiesSignedURLs: !h.cfg.Public, EnforcesDirect: true}
}

// newServed returns a Provider on a new temp folder (unless cfg.Dir is set)
// and the server of its handler; cfg.BaseURL is set to the server.
func newServed(t *testing.T, cfg disk.Config) (*disk.Provider, *httptest.Server) {
	t.Helper()
	var p *disk.Provider
	srv := httptest.NewServer(http.StripPrefix("/media", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.ServeHTTP(w, r)
	})))
	t.Cleanup(srv.Close)
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	cfg.BaseURL = srv.URL + "/media"
	var err error
	if p, err = disk.New(cfg); err != nil {
		t.Fatalf("disk.New: %v", err)
	}
	return p, srv
}

func TestConformance(t *testing.T) {
	t.Parallel()
	t.Run("Private", func(t *testing.T) {
		t.Parallel()
		providertest.Run(t, func(t *testing.T) providertest.Harness {
			return &harness{cfg: disk.Config{Secret: []byte("0123456789abcdef0123456789abcdef")}}
		})
	})
	t.Run("PublicNoSync", func(t *testing.T) {
		t.Parallel()
		providertest.Run(t, func(t *testing.T) providertest.Harness {
			return &harness{cfg: disk.Config{Name: "disk-public", Public: true, NoSync: true}}
		})
	})
}
