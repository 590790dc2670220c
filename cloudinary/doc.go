// Package cloudinary is the Cloudinary provider of mediastore: server-side
// streamed uploads (chunked when large or of unknown length), signed direct
// uploads from the browser with a verified confirm, the Admin API for what
// is really stored, destroy, and delivery URLs with typed transformations
// and signatures.
//
//	cfg, err := cloudinary.ConfigFromEnv() // CLOUDINARY_CLOUD_NAME, _API_KEY, _API_SECRET or CLOUDINARY_URL
//	p, err := cloudinary.New(cfg)
//	client, err := mediastore.New(p, store, nil)
//
// # Capabilities
//
// [Provider] implements [mediastore.Provider], [mediastore.DirectUploader],
// [mediastore.DirectVerifier], [mediastore.DirectKeyer],
// [mediastore.Transformer] and [mediastore.RangeReader].
//
// # Keys
//
// The Client's keys ("owner/uniqueid-name.ext") become public IDs:
// Config.Folder, then the key with every character Cloudinary does not allow
// replaced by "_" (letters of any script, digits, "-", "_", "." and "/" are
// kept), without the extension for images and videos and with it for raw
// files, at most 255 bytes. The Object.Key the provider returns, and that
// every later call receives, is
//
//	<resource_type>/<type>/<public_id>     e.g. image/upload/owner/01abc-photo
//	                                            raw/authenticated/app/owner/01abc-report.pdf
//
// where resource_type is what Cloudinary stored (image, video, raw) and type
// the delivery type (upload, authenticated, private). A direct-upload
// ticket has the key "auto/<type>/<public_id>" until it is confirmed, so
// that Cloudinary's upload response (public_id, type) names it whether or
// not the client declared a type; lookups of such a key try the three
// resource types, and the confirm records the key with the real one.
// A key not of this form is mapped as Put maps it, with the resource type
// its extension suggests.
//
// # Uploads
//
// [Provider.Put] posts to <resource_type>/upload (cloudinary-go's Upload
// always posts to auto/upload and never chunks a plain io.Reader, so the
// requests are built here). A stream of known size up to Config.ChunkSize
// goes in one multipart request, streamed with a Content-Length; a larger
// one, or one of unknown size, goes through Cloudinary's chunked upload:
// parts of Config.ChunkSize (at least 5 MiB; Cloudinary refuses single
// requests over 100 MB), each a complete signed request with the same
// X-Unique-Upload-Id and "Content-Range: bytes start-end/total" (total
// "-1" until the last part of a stream of unknown size, as cloudinary_npm's
// upload_chunked_stream sends it). One part is in memory at a time. A
// stream shorter or longer than PutOptions.Size fails with ErrInvalid and
// stores nothing.
//
// # Direct uploads
//
// [Provider.PrepareDirect] signs the upload parameters for the browser
// (public_id, overwrite=false, type, timestamp; sorted name=value pairs
// joined with "&", "&" inside values escaped as %26, the secret appended,
// SHA-1 or SHA-256) and returns the POST URL, every form field the browser
// must send and the file field name; never the secret. The signature lives
// one hour. [Provider.VerifyDirect] checks the public ID against the key,
// verifies the response signature the browser brings back (SHA of
// "public_id=..&version=.." + secret, in constant time) when it has one, and
// in every case takes the size, format, dimensions and URL from the Admin
// API, never from the client.
//
// # URLs
//
// [Provider.URL] makes delivery URLs like cloudinary-go's asset package
// (without its analytics parameter): public for the "upload" type, signed
// with "s--XXXXXXXX--" (SHA-1 of "<transformation>/<public_id>" + secret,
// URL-safe base64, 8 characters) for "authenticated" and "private" assets or
// when URLOptions.Signed is set. Cloudinary's signed URLs do not expire.
// [Transformation] is a typed builder of Cloudinary's transformation
// syntax ("c_fill,g_face,w_300/e_sepia"); [Provider.TransformURL] maps a
// [mediastore.Transform] to it.
//
// # Notifications
//
// [Provider.VerifyNotification] and [VerifyNotificationSignature] check the
// X-Cld-Signature and X-Cld-Timestamp of a notification (webhook) request.
//
// # Errors
//
// Every failure is a *mediastore.Error: 404 is ErrNotFound, 413 and "File
// size too large" ErrTooLarge, other 400 answers about the content
// ErrInvalid, and authentication, clock, rate-limit, 5xx and transport
// failures ErrProvider. The cause is an [*APIError] with the status and
// Cloudinary's message, with credentials and signatures removed. Config and
// Provider print without credentials.
//
// # Testing
//
// The tests run against internal/fakes/cloudinaryfake, which verifies every
// signature and Basic auth as Cloudinary does, and pin the signing
// algorithms to the vectors Cloudinary publishes in its documentation and
// SDK tests.
package cloudinary
