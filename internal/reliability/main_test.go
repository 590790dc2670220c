package reliability

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/internal/tests3"
)

// toxiproxyLinks are the goroutines of toxiproxy's connections. A link
// whose peer went away while bytes were in its chain (a reply cut, a
// stalled request dropped) can stay blocked on its channels for the life
// of the process: that is the test proxy's, not the library's.
var toxiproxyLinks = []goleak.Option{
	goleak.IgnoreAnyFunction("github.com/Shopify/toxiproxy/v2.(*ToxicLink).read"),
	goleak.IgnoreAnyFunction("github.com/Shopify/toxiproxy/v2.(*ToxicLink).write"),
	goleak.IgnoreAnyFunction("github.com/Shopify/toxiproxy/v2/toxics.(*ToxicStub).Run"),
}

// TestMain stops the S3 server and PostgreSQL after the tests, then fails
// the run if goroutines leaked.
func TestMain(m *testing.M) { testdb.Main(tests3.StopAfter(m), toxiproxyLinks...) }
