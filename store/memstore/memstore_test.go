package memstore_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/store/memstore"
	"github.com/mediastore/mediastore/store/storetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) mediastore.MetadataStore { return memstore.New() })
}

// TestConformanceShared runs the suite a second time with one store for
// every subtest, which proves the suite's own isolation (unique owners,
// providers and keys) and the store's under mixed concurrent use.
func TestConformanceShared(t *testing.T) {
	s := memstore.New()
	storetest.Run(t, func(t *testing.T) mediastore.MetadataStore { return s })
}
