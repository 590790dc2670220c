// Package httpapi serves a [mediastore.Client] over HTTP with the JSON
// endpoints of the provider guides. It is a thin layer: every rule
// (validation, limits, sniffing, keys, owner scoping, the state machine)
// lives in the Client; the handlers only parse requests, call the Client
// and answer.
//
// # Mounting
//
// [New] returns a [Handler], an http.Handler with Go 1.22 method patterns:
//
//	h, err := httpapi.New(client, httpapi.Config{Authenticate: myAuth, Logger: logger})
//	if err != nil { ... }
//	http.ListenAndServe("127.0.0.1:3000", h)
//
// Under a prefix, strip it:
//
//	mux.Handle("/media/", http.StripPrefix("/media", h))
//
// Every endpoint is also an exported method, an http.HandlerFunc, for other
// routers or other paths; used alone it authenticates, logs and answers
// exactly as when routed by the Handler. The guide-shaped endpoints are
// mounted by the program at the guides' paths, never by New:
//
//	mux.Handle("/", h)
//	// R2 guide (the B2 guide's paths: /presign-b2-upload, /save-b2-metadata)
//	mux.HandleFunc("POST /presign-upload", h.PresignUpload)
//	mux.HandleFunc("POST /save-metadata", h.SaveMetadata)
//
//	// Cloudinary guide, in another program
//	mux.HandleFunc("GET /generate-signature", h.GenerateSignature)
//	mux.HandleFunc("POST /save-metadata", h.SaveCloudinaryMetadata)
//
// The endpoints that take a file id read it with r.PathValue("id"); a
// router that does not set path values must call r.SetPathValue("id", ...).
//
// # Routes
//
// Mounted by New:
//
//	POST   /upload           multipart: [fileName], [size], file -> {success, fileUrl, file}
//	GET    /files            ?limit=&cursor=&resource_type=      -> {success, files, next_cursor}
//	GET    /files/{id}                                           -> {success, file}
//	GET    /files/{id}/url   ?download=                          -> {success, url}
//	DELETE /files/{id}                                           -> {success}
//	POST   /uploads          {filename, content_type, size, sha256} -> {success, ticket}
//	POST   /uploads/confirm  {key, proof}                        -> {success, file}
//
// The two /uploads routes are mounted only when the provider supports
// direct uploads (mediastore.CapDirectUpload), as tusd mounts a route only
// when its store has the feature: without it they answer 404. A path no
// route serves answers 404 and a wrong method 405 with an Allow header,
// both in the JSON error envelope. next_cursor is "" on the last page.
//
// Not mounted by New: [Handler.PresignUpload] and [Handler.SaveMetadata]
// (R2, B2), [Handler.GenerateSignature] and [Handler.SaveCloudinaryMetadata]
// (Cloudinary). FILE is [mediastore.File] as JSON; the request and response
// bodies are the exported types of this package ([UploadResponse],
// [PresignResponse], ...).
//
// # Authentication
//
// Config.Authenticate is required: it returns the owner of a request, and
// every call is scoped to that owner, so another user's file is a 404 like
// a missing one. Its error answers 401 {"success":false,"error":
// "authentication required"} (403 when the error satisfies
// errors.Is(err, mediastore.ErrForbidden)); its text is never sent. It runs
// before a body is read. The demo X-User-ID authenticator of the examples
// is not part of this package.
//
// # Errors
//
// A failure is {"success": false, "error": "<sentence>"}: a sentence a user
// can act on, chosen by the kind of the error, never the error's text
// (which could hold internals). One table maps the kinds to statuses:
//
//	mediastore.ErrInvalid          400 (a sentence per endpoint)
//	authentication failure         401
//	mediastore.ErrForbidden        403
//	mediastore.ErrNotFound         404
//	mediastore.ErrUnsupported      404 (the same answer as an unmounted route)
//	mediastore.ErrConflict         409
//	mediastore.ErrTooLarge         413 "file is larger than the 100 MB limit"
//	*http.MaxBytesError            413
//	mediastore.ErrTypeNotAllowed   415 (names the allowed types)
//	mediastore.ErrProvider         502
//	mediastore.ErrStore            500
//	anything else                  500
//
// Malformed requests are 400 with a sentence naming the problem: invalid
// JSON, more than one JSON value, a field of the wrong type, a missing
// required field, an unknown field. A body not declared as
// application/json (or as multipart/form-data for /upload) is a 415.
//
// Unknown JSON fields are refused everywhere except by
// [Handler.SaveCloudinaryMetadata], whose clients may post Cloudinary's
// whole upload response. URLs sent by clients (publicFileUrl, secure_url)
// are accepted and ignored: the URL recorded is the one the library
// derives from the provider.
//
// Confirming a file that is already recorded for the caller returns it
// again (the Client's confirm is idempotent) and writes nothing.
//
// # Limits
//
// Multipart bodies are bounded by Config.MaxBodyBytes (the Client's
// MaxSize plus 1 MiB), JSON bodies by Config.MaxJSONBytes (64 KiB), both
// with http.MaxBytesReader. The upload's file part is read with
// r.MultipartReader and streamed into [mediastore.Client.Upload]: the
// provider receives the first bytes while the rest is still arriving, and
// the file is never held in memory or written to disk. The one exception
// is Config.SpoolUnsized, for providers that need the size before the
// first byte: an upload that states no size is copied to a temporary file
// in Config.TempDir first, and that file is removed whatever happens.
//
// # Logging
//
// Each request logs one line on Config.Logger, at Info (Error for 5xx):
// request_id, method, path (never the query string, which may hold
// cursors, and never a header), status, duration and bytes (of the
// response body), plus for a failure the sentence answered and, for a
// 5xx only, the cause (library errors hold no secrets). The request id is
// the incoming X-Request-ID when it is 1 to 64 of [A-Za-z0-9._:-], else a
// random one, and is set on the response's X-Request-ID.
package httpapi
