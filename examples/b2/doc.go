// Command b2 is the Backblaze B2 guide's server on mediastore: the browser
// asks for a presigned PUT, uploads the file straight to B2's S3-compatible
// API, and reports the key back; the server verifies the object before it
// records it. It adds the endpoints a real application needs next (upload
// through the server, list, signed URL, delete), as examples-contract.md
// describes.
//
//	B2_APPLICATION_KEY_ID=... B2_APPLICATION_KEY=... B2_BUCKET_NAME=... \
//	B2_ENDPOINT_URL=https://s3.us-west-004.backblazeb2.com \
//	DATABASE_URL=postgres://... go run ./examples/b2
//
// # Environment
//
// B2_APPLICATION_KEY_ID, B2_APPLICATION_KEY (an application key, not the
// master key), B2_BUCKET_NAME and B2_ENDPOINT_URL are required. The signing
// region is the host label of B2_ENDPOINT_URL (s3.<region>.backblazeb2.com);
// for any other host (a local S3 server) it is B2_REGION, else us-east-1.
// B2_PUBLIC_BASE_URL makes URLs public, else they are presigned GETs.
// S3_FORCE_PATH_STYLE=true addresses the bucket in the path, as local servers
// need. The common variables: DATABASE_URL (required), PORT (default 3000),
// MEDIASTORE_MAX_SIZE and MEDIASTORE_ALLOWED_TYPES. A missing variable or an
// unreachable database ends the program with status 2 and one line naming
// it.
//
// # Endpoints
//
//	POST   /presign-b2-upload  {fileName, contentType}   -> {success, presignedUrl, objectKey, publicFileUrl, headers}
//	POST   /save-b2-metadata   {objectKey, publicFileUrl} -> {success, file}
//	POST   /upload             multipart: [fileName], [size], file -> {success, fileUrl, file}
//	GET    /files              ?limit=&cursor=            -> {success, files, next_cursor}
//	GET    /files/{id}                                    -> {success, file}
//	GET    /files/{id}/url                                -> {success, url}
//	DELETE /files/{id}                                    -> {success}
//
// The user is the X-User-ID header, else user_123: a demo only. See
// README.md for the whole flow with curl.
package main
