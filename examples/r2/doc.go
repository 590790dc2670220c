// Command r2 is the Cloudflare R2 guide's server on mediastore: the browser
// asks for a presigned PUT, uploads the file straight to R2, and reports the
// key back; the server verifies the object before it records it. It adds the
// endpoints a real application needs next (upload through the server, list,
// signed URL, delete), as examples-contract.md describes.
//
//	R2_ACCOUNT_ID=... R2_ACCESS_KEY_ID=... R2_SECRET_ACCESS_KEY=... \
//	R2_BUCKET_NAME=... DATABASE_URL=postgres://... go run ./examples/r2
//
// # Environment
//
// R2_ACCOUNT_ID, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY and R2_BUCKET_NAME
// are required (R2_ACCOUNT_ID may be left out when R2_ENDPOINT_URL is set);
// R2_PUBLIC_BASE_URL (the bucket's r2.dev or custom domain) makes URLs public,
// else they are presigned GETs; R2_ENDPOINT_URL overrides
// https://<R2_ACCOUNT_ID>.r2.cloudflarestorage.com for a local S3 server,
// which also needs S3_FORCE_PATH_STYLE=true; R2_CREATE_ONLY_UPLOADS=true
// makes each presigned URL upload once (the client then sends the
// If-None-Match header listed in the presign answer). The common variables:
// DATABASE_URL (required), PORT (default 3000), MEDIASTORE_MAX_SIZE and
// MEDIASTORE_ALLOWED_TYPES. A missing variable or an unreachable database
// ends the program with status 2 and one line naming it.
//
// # Endpoints
//
//	POST   /presign-upload   {fileName, contentType}   -> {success, presignedUrl, objectKey, publicFileUrl, headers}
//	POST   /save-metadata    {objectKey, publicFileUrl} -> {success, file}
//	POST   /upload           multipart: [fileName], [size], file -> {success, fileUrl, file}
//	GET    /files            ?limit=&cursor=            -> {success, files, next_cursor}
//	GET    /files/{id}                                  -> {success, file}
//	GET    /files/{id}/url                              -> {success, url}
//	DELETE /files/{id}                                  -> {success}
//
// The user is the X-User-ID header, else user_123: a demo only. See
// README.md for the whole flow with curl.
package main
