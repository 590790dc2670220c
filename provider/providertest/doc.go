// Package providertest is the conformance suite of mediastore providers: the
// promises of [mediastore.Provider] and its optional capabilities, written as
// tests. Every provider in this module passes it, and third-party providers
// can run it too.
//
// # Use
//
// Write a [Harness] that makes a fresh provider and an HTTP client that can
// fetch its URLs (a fake or local server is fine), then call [Run] from a
// test:
//
//	func TestConformance(t *testing.T) {
//		providertest.Run(t, func(t *testing.T) providertest.Harness {
//			return newHarness(t) // cleanups through t.Cleanup
//		})
//	}
//
// # What it checks
//
// Put then Stat (size, content type and checksum where reported), streams of
// unknown length, a large stream (32 MiB by default, generated on the fly and
// compared by hash after a download through the URL), ErrNotFound for missing
// keys, idempotent Delete, URLs and signed URLs that download exactly the
// bytes put, odd keys (unicode, deep paths, many dots), a reader that fails
// mid-stream and a context cancelled mid-stream (Put fails and no object is
// left), concurrent Puts, and that the Key of the returned Object is the one
// later calls accept.
//
// Each optional capability the provider implements is tested too:
// [mediastore.RangeReader], [mediastore.DirectUploader] (the suite executes
// the ticket with the harness's HTTP client), [mediastore.DirectVerifier] and
// [mediastore.DirectKeyer] (the proof is the upload response's top-level JSON
// fields as strings, as a browser would send them back), [mediastore.Lister],
// [mediastore.Committer], [mediastore.Transformer], [mediastore.StatReader]
// (its size, ETag and type match Stat's, its bytes the object's first) and
// [mediastore.StoredHasher] (Put's SHA-256 matches the bytes, for lengths
// around buffer edges and readers that hand bytes over unevenly). A
// capability the provider lacks adds no test.
//
// # Adjusting the suite
//
// A Harness may also implement [Optioner] to describe its provider: it
// assigns its own keys, it refuses a tampered signed URL, its tickets bind
// the content type and length, or it needs a smaller large stream. See
// [Options].
//
// # Running
//
// Every test runs in parallel with a new Harness and keys under a random
// prefix, and deletes what it put, so harnesses may share one backing
// service (a bucket, an account). The suite uses t.Context for its calls, so
// a harness must not stop its servers before the test's cleanups run.
package providertest
