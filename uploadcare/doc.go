// Package uploadcare is the Uploadcare provider of mediastore, written over
// Uploadcare's HTTP APIs with net/http (there is no Go SDK to build on).
//
//	cfg, err := uploadcare.ConfigFromEnv() // UPLOADCARE_PUBLIC_KEY, UPLOADCARE_SECRET_KEY
//	if err != nil { ... }
//	p, err := uploadcare.New(cfg)
//	client, err := mediastore.New(p, store, nil)
//
// # Keys
//
// Uploadcare names every file with a UUID of its own. [Provider.Put]
// returns it as Object.Key and the Client records it; Stat, Delete, Commit,
// URL and the other methods take that UUID. A key that is not a UUID (the
// Client's own key of a pending row whose upload never reached Uploadcare)
// names no file: Stat reports ErrNotFound and Delete succeeds. The key the
// Client chose is kept in the file's metadata as "mediastore_key".
//
// # Two-phase store
//
// Put uploads with UPLOADCARE_STORE=0: the file is temporary, and
// Uploadcare removes it by itself 24 hours later. After recording the row,
// the Client calls [Provider.Commit] (the [mediastore.Committer]
// capability), which stores the file through the REST API. A crash between
// the two leaves only a temporary file that expires.
//
// # Uploads
//
// Streams below Config.MultipartThreshold (10 MiB) and streams of unknown
// size go to /base/ in one request whose multipart/form-data body is
// written as the stream is read, never buffered whole (up to 100 MB, the
// limit of /base/). Streams of known size at or above the threshold go
// through the multipart upload API with at most two 5 MiB parts in memory.
// A caller with a large stream of unknown size must learn its size first
// (httpapi spools such a request to a temporary file).
//
// With Config.SignedUploads every upload carries signature and expire
// (see [SignUpload]).
//
// # Direct uploads
//
// [Provider.PrepareDirect] returns a ticket for a browser POST to /base/
// carrying the public key, UPLOADCARE_STORE=0, the signature when signed
// uploads are on, and metadata[mediastore_key] = the ticket's key. The
// browser sends back the UUID of Uploadcare's answer {"file": "<uuid>"};
// [Provider.VerifyDirect] looks the file up through the REST API, requires
// the metadata to name the ticket's key (ErrForbidden otherwise) and
// returns Uploadcare's size, type and image facts. Uploadcare cannot bind
// size or type in a ticket: the Client checks them on confirm.
//
// # REST API
//
// Requests carry "Accept: application/vnd.uploadcare-v0.7+json" and are
// signed with the "Uploadcare" HMAC-SHA1 scheme ([SignREST]); set
// Config.AuthScheme to [AuthSimple] for "Uploadcare.Simple", which sends the
// secret key itself (HTTPS only).
//
// # URLs
//
// Files are delivered by the CDN at <CDNBaseURL>/<uuid>/. The default CDN
// base is the project's own subdomain https://<CDNSubdomain(public key)>.ucarecd.net,
// used by projects created since 2025-09-04; older projects use
// [LegacyCDNBaseURL] (https://ucarecdn.com), to be set in Config.CDNBaseURL or
// UPLOADCARE_CDN_BASE_URL, as is a custom CNAME.
//
// [Ops] builds chains of URL operations (preview, resize, crop, scale_crop,
// format, quality, or any raw operation) for [Provider.CDNURL];
// [Provider.TransformURL] translates a [mediastore.Transform] with
// [FromTransform].
//
// With Config.SecureDeliverySecret (the project's secure delivery key) every
// URL carries an expiring Akamai-style token ([SecureToken]). Without it the
// CDN is public and URLs are never signed.
//
// # Capabilities
//
// [Provider] implements [mediastore.Provider], [mediastore.Committer],
// [mediastore.DirectUploader], [mediastore.DirectVerifier],
// [mediastore.Transformer] and [mediastore.RangeReader] (a ranged GET from
// the CDN). It does not implement [mediastore.Lister].
//
// # Errors
//
// Every error is a *mediastore.Error: 404 answers are ErrNotFound, 413
// ErrTooLarge, any other failure ErrProvider, with an [HTTPError] (status
// and truncated message) as cause. A stream that fails or does not match
// its declared size is ErrInvalid (or the stream error's own kind). Errors,
// String and LogValue never contain the secret key, signatures or the
// presigned part URLs.
package uploadcare
