package s3compat_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/tests3"
	"github.com/mediastore/mediastore/provider/providertest"
)

// harness runs the conformance suite on a fresh bucket per test.
type harness struct {
	opts *tests3.Options
	srv  *tests3.Server
}

func (h *harness) MakeProvider(ctx context.Context, t *testing.T) mediastore.Provider {
	p, b := setup(t, h.opts, nil)
	h.srv = b.srv
	return p
}

func (h *harness) HTTPClient() *http.Client { return h.srv.HTTPClient() }

func (h *harness) Options() providertest.Options {
	return providertest.Options{VerifiesSignedURLs: true, EnforcesDirect: true}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			providertest.Run(t, func(t *testing.T) providertest.Harness { return &harness{opts: k.opts} })
		})
	}
}
