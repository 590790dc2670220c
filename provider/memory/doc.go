// Package memory is a mediastore provider that keeps objects in a map: for
// tests, runnable examples and the quickstart's fallback. It behaves like the
// disk provider (same key rules, signed URLs, tickets and handler) except
// that nothing survives the process.
//
// # URLs and tickets
//
// [Provider.URL] makes HMAC-signed, expiring GET URLs (unsigned ones when
// [Config.Public] is set) under [Config.BaseURL], and [Provider.PrepareDirect]
// makes presigned PUT tickets bound to the key, content type, declared
// length, size limit and checksum. The Provider is an http.Handler that
// serves both; mount it where BaseURL points:
//
//	var p *memory.Provider
//	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//		p.ServeHTTP(w, r)
//	}))
//	p = memory.New(&memory.Config{BaseURL: srv.URL})
//
// # Capabilities
//
// [mediastore.Provider], [mediastore.RangeReader], [mediastore.Lister] and
// [mediastore.DirectUploader].
//
// # Keys
//
// Keys are slash-separated relative paths: no empty, "." or ".." segment, no
// leading or trailing slash, no control characters or backslashes, valid
// UTF-8, at most 1024 bytes. Any other key is an ErrInvalid error.
package memory
