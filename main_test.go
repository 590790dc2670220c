package mediastore_test

import (
	"testing"

	"github.com/mediastore/mediastore/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }
