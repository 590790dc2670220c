package uploadcare

import (
	"context"
	"net/http"
	"testing"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/fakes/uploadcarefake"
	"github.com/mediastore/mediastore/provider/providertest"
)

type harness struct {
	fo      uploadcarefake.Options
	mod     func(*Config)
	options providertest.Options
}

func (h *harness) MakeProvider(ctx context.Context, t *testing.T) mediastore.Provider {
	p, _ := setup(t, h.fo, h.mod)
	return p
}

func (h *harness) HTTPClient() *http.Client { return http.DefaultClient }

func (h *harness) Options() providertest.Options { return h.options }

func TestConformance(t *testing.T) {
	t.Parallel()
	// 12 MiB: above the multipart threshold, small enough for a shared machine.
	const large = 12 << 20
	t.Run("Public", func(t *testing.T) {
		t.Parallel()
		providertest.Run(t, func(t *testing.T) providertest.Harness {
			return &harness{options: providertest.Options{AssignsKeys: true, LargeSize: large}}
		})
	})
	t.Run("SignedAndSecure", func(t *testing.T) {
		t.Parallel()
		providertest.Run(t, func(t *testing.T) providertest.Harness {
			return &harness{
				fo:      uploadcarefake.Options{SignedUploads: true, SecureDeliverySecret: testSecureSecret, AutoStoreOff: true},
				mod:     func(c *Config) { c.AuthScheme = AuthSimple },
				options: providertest.Options{AssignsKeys: true, LargeSize: large, VerifiesSignedURLs: true},
			}
		})
	})
}
