// Package disk is a mediastore provider that keeps objects as files in a
// local folder, with HMAC-signed, expiring URLs and an http.Handler that
// serves them and accepts direct uploads.
//
// # Layout
//
// The object of key "alice/01j-photo.jpg" is the file alice/01j-photo.jpg
// under [Config.Dir], byte for byte. The provider's own files live in the
// folder .mediastore: temp files being written, and a small JSON sidecar per
// object holding its content type and SHA-256. No key may start with
// ".mediastore".
//
// # Writes
//
// [Provider.Put] streams into a temp file in .mediastore/tmp, syncs it
// (unless [Config.NoSync]), and renames it into place, so an object is
// either whole or absent. The SHA-256 is of the stored bytes: a goroutine
// reads the temp file back from the page cache a little behind the writer
// (and during the sync), which leaves the writer at the speed of a plain
// io.Copy to a file; Put reports it, and the provider implements
// [mediastore.StoredHasher], so the Client does not hash the stream again. A failed or cancelled Put removes its temp file.
// Concurrent Puts of one key leave one complete object (the last rename
// wins). Temp files left by a crash are removed by [New] once a day old.
// Empty folders left by [Provider.Delete] stay.
//
// # Keys
//
// Keys are slash-separated relative paths: no empty, "." or ".." segment, no
// leading or trailing slash, no control characters or backslashes, valid
// UTF-8, at most 1024 bytes. Any other key is an ErrInvalid error. Every
// file access goes through an [os.Root], so not even a symbolic link inside
// the folder leads outside it. On a case-insensitive file system, keys that
// differ only in case name the same object.
//
// # URLs and signing
//
// [Provider.URL] returns <BaseURL>/<escaped key>?expires=<unix>&sig=<hmac>:
// HMAC-SHA256 under [Config.Secret] over the method, key, expiry and download
// name. With [Config.Public], URLs are unsigned unless URLOptions.Signed is
// set. [Provider.PrepareDirect] returns a presigned PUT ticket that also
// binds the content type, the declared length, the size limit and the
// SHA-256 when given.
//
// The Provider is an http.Handler; mount it at BaseURL's path with
// http.StripPrefix:
//
//	p, err := disk.New(disk.Config{Dir: "media", BaseURL: "http://127.0.0.1:8080/media"})
//	...
//	mux.Handle("/media/", http.StripPrefix("/media", p))
//
// GET and HEAD serve the file with its content type (ranges and conditional
// requests through http.ServeContent) and refuse a missing, bad or expired
// signature with 403 unless the Provider is public; a missing object is 404.
// PUT stores a direct upload through the same temp-file path as Put, and
// refuses, without storing anything, a bad or expired ticket or one used
// with another content type or length (403), a body over the ticket's size
// limit (413), and a body whose length or SHA-256 differs from what it
// declares (400).
//
// # Capabilities
//
// [mediastore.Provider], [mediastore.RangeReader], [mediastore.Lister] and
// [mediastore.DirectUploader].
package disk
