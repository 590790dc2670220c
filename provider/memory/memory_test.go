package memory_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.uber.org/goleak"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/memory"
	"github.com/mediastore/mediastore/provider/providertest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// harness serves a memory Provider from an httptest server on 127.0.0.1.
type harness struct {
	cfg    memory.Config
	large  int64
	client *http.Client
}

func (h *harness) MakeProvider(ctx context.Context, t *testing.T) mediastore.Provider {
	var p *memory.Provider
	srv := httptest.NewServer(http.StripPrefix("/media", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.ServeHTTP(w, r)
	})))
	t.Cleanup(srv.Close)
	cfg := h.cfg
	cfg.BaseURL = srv.URL + "/media"
	p = memory.New(&cfg)
	h.client = srv.Client()
	return p
}

func (h *harness) HTTPClient() *http.Client { return h.client }

func (h *harness) Options() providertest.Options {
	return providertest.Options{VerifiesSignedURLs: !h.cfg.Public, EnforcesDirect: true, LargeSize: h.large}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	t.Run("Private", func(t *testing.T) {
		t.Parallel()
		providertest.Run(t, func(t *testing.T) providertest.Harness {
			return &harness{cfg: memory.Config{Secret: []byte("0123456789abcdef0123456789abcdef")}}
		})
	})
	t.Run("Public", func(t *testing.T) {
		t.Parallel()
		providertest.Run(t, func(t *testing.T) providertest.Harness {
			// The whole stream is held in memory here: one large run
			// (Private) at the default size is enough.
			return &harness{cfg: memory.Config{Name: "memory-public", Public: true}, large: 8 << 20}
		})
	})
}
