package providertest

import (
	"context"
	"net/http"
	"testing"

	"github.com/mediastore/mediastore"
)

// Harness makes the provider under test.
type Harness interface {
	// MakeProvider returns a new provider. It registers its own cleanups
	// with t.Cleanup.
	MakeProvider(ctx context.Context, t *testing.T) mediastore.Provider
	// HTTPClient fetches the provider's URLs and executes its tickets. It
	// may route requests to a fake or local server. It must not be nil.
	// The suite calls it after MakeProvider.
	HTTPClient() *http.Client
}

// Optioner is an optional interface of a Harness whose provider needs the
// suite adjusted.
type Optioner interface {
	Options() Options
}

// Options adjusts the suite to a provider. The zero value suits a provider
// that stores under the keys it is given.
type Options struct {
	// AssignsKeys reports that the provider chooses its own keys (e.g.
	// Uploadcare's UUIDs): the suite then does not expect the returned
	// Object.Key or Ticket.Key to equal the key it asked for, checks
	// missing keys with a key that was put and deleted, lists with an
	// empty prefix, and cannot check that a failed Put or a refused direct
	// upload left nothing behind (it has no key to look at).
	AssignsKeys bool
	// LargeSize is the length of the large-stream tests, in bytes.
	// Defaults to 32 MiB.
	LargeSize int64
	// VerifiesSignedURLs reports that a signed URL only works for the key
	// it was made for: the suite checks that a signed URL whose key was
	// swapped for another existing key is refused.
	VerifiesSignedURLs bool
	// EnforcesDirect reports that the provider refuses a direct upload
	// whose content type or length differs from what PrepareDirect was
	// given.
	EnforcesDirect bool
}

const defaultLargeSize = 32 << 20

type suiteTest struct {
	name string
	fn   func(*testing.T, *fixture)
}

// Run runs the suite. newHarness is called once per test, from that test.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Helper()
	tests := []suiteTest{
		{"Name", testName},
		{"PutStat", testPutStat},
		{"PutUnknownSize", testPutUnknownSize},
		{"LargeStream", testLargeStream},
		{"StatMissing", testStatMissing},
		{"DeleteThenStat", testDeleteThenStat},
		{"DeleteMissing", testDeleteMissing},
		{"URL", testURL},
		{"SignedURL", testSignedURL},
		{"OddKeys", testOddKeys},
		{"FailingReader", testFailingReader},
		{"CancelDuringPut", testCancelDuringPut},
		{"ConcurrentPuts", testConcurrentPuts},
	}
	probe := newFixture(t, newHarness)
	if _, ok := probe.p.(mediastore.RangeReader); ok {
		tests = append(tests, suiteTest{"RangeReader", testRangeReader})
	}
	_, direct := probe.p.(mediastore.DirectUploader)
	if direct {
		tests = append(tests, suiteTest{"DirectUploader", testDirectUploader})
	}
	if _, ok := probe.p.(mediastore.DirectVerifier); ok && direct {
		tests = append(tests, suiteTest{"DirectVerifier", testDirectVerifier})
	}
	if _, ok := probe.p.(mediastore.Lister); ok {
		tests = append(tests, suiteTest{"Lister", testLister})
	}
	if _, ok := probe.p.(mediastore.Committer); ok {
		tests = append(tests, suiteTest{"Committer", testCommitter})
	}
	if _, ok := probe.p.(mediastore.StatReader); ok {
		tests = append(tests, suiteTest{"StatReader", testStatReader})
	}
	if sh, ok := probe.p.(mediastore.StoredHasher); ok && sh.HashesStored() {
		tests = append(tests, suiteTest{"StoredHasher", testStoredHasher})
	}
	if _, ok := probe.p.(mediastore.Transformer); ok {
		tests = append(tests, suiteTest{"Transformer", testTransformer})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newFixture(t, newHarness))
		})
	}
}
