package cloudinary

import (
	"context"
	"net/http"
	"testing"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/fakes/cloudinaryfake"
	"github.com/mediastore/mediastore/provider/providertest"
)

// harness runs providertest against a fake Cloudinary of its own.
type harness struct {
	fake *cloudinaryfake.Server
	mod  func(*Config)
}

func (h *harness) MakeProvider(ctx context.Context, t *testing.T) mediastore.Provider {
	o := h.fake.Options()
	cfg := Config{
		CloudName: o.CloudName, APIKey: o.APIKey, APISecret: o.APISecret, SignatureAlgorithm: o.SignatureAlgorithm,
		APIBaseURL: h.fake.URL, DeliveryBaseURL: h.fake.URL, HTTPClient: h.fake.Client(), ChunkSize: MinChunkSize,
	}
	if h.mod != nil {
		h.mod(&cfg)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (h *harness) HTTPClient() *http.Client { return h.fake.Client() }

// Options: keys are Cloudinary's ("raw/upload/<public_id>"), and the fake
// checks every delivery signature.
func (h *harness) Options() providertest.Options {
	return providertest.Options{AssignsKeys: true, VerifiesSignedURLs: true}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		return &harness{fake: cloudinaryfake.Start(t, nil)}
	})
}

// The suite again with signed delivery, SHA-256 signatures and a folder.
func TestConformanceAuthenticated(t *testing.T) {
	t.Parallel()
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		return &harness{
			fake: cloudinaryfake.Start(t, &cloudinaryfake.Options{SignatureAlgorithm: "sha256"}),
			mod: func(c *Config) {
				c.DeliveryType = "authenticated"
				c.Folder = "app/test"
			},
		}
	})
}
