// Package urlsign makes and checks the HMAC-signed, expiring URLs of the disk
// and memory providers, and serves them.
//
// # Signing
//
// A [Signer] binds a [Claims] (method, key, expiry and, for uploads, the
// content type, declared length, size limit and checksum) with HMAC-SHA256.
// [Signer.URL] puts the claims and the signature in the query of a URL under
// a base; [Signer.Verify] recomputes the signature in constant time and
// reports [ErrBadSignature] or [ErrExpired].
//
// # Serving
//
// A [Server] is the http.Handler logic both providers share: GET and HEAD
// serve an object (ranges through http.ServeContent) when the URL is validly
// signed for GET, or without a signature when the server is public; PUT
// accepts a direct upload signed for PUT and enforces its claims while the
// body streams.
//
// # Keys
//
// [CheckKey] is the one rule for keys that become URL paths and file paths.
package urlsign
