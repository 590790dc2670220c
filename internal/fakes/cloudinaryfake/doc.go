// Package cloudinaryfake is a fake Cloudinary for tests: an httptest
// server at 127.0.0.1 that implements the parts of the Upload API, the
// Admin API and delivery that mediastore uses, and checks every request as
// the real service does.
//
// # Endpoints
//
//   - POST /v1_1/<cloud>/{image,video,raw,auto}/upload: multipart/form-data
//     or urlencoded (a data: URI as file), and Cloudinary's chunked upload
//     (X-Unique-Upload-Id, Content-Range "bytes start-end/total" with total
//     -1 while unknown; parts in order, every part but the last at least
//     Options.MinChunkBytes). The response is Cloudinary's, with the
//     response signature SHA(public_id=..&version=..+secret). overwrite=false
//     returns the existing asset with "existing": true.
//   - POST /v1_1/<cloud>/{image,video,raw}/destroy: the body is read as
//     urlencoded whatever its Content-Type (cloudinary-go sends none);
//     {"result":"ok"} or {"result":"not found"}.
//   - GET /v1_1/<cloud>/resources/<rt>/<type>/<public_id>: HTTP Basic auth
//     with the API key and secret; 404 "Resource not found - <id>".
//   - GET /<cloud>/<rt>/<type>/[s--SIG--/][transformations/][v<n>/]<id>[.ext]:
//     the stored bytes (Range requests work); "authenticated" and
//     "private" assets need a right delivery signature, and any signature
//     present must be right (401 with X-Cld-Error otherwise).
//
// # Verification
//
// Upload and destroy requests must carry the right api_key, a timestamp no
// older than one hour and the signature of their parameters (sorted k=v
// joined with "&", "&" in values escaped as %26, secret appended, SHA-1 or
// the configured SHA-256; file, cloud_name, resource_type and api_key
// unsigned). Failures answer Cloudinary's shape
// {"error":{"message":"Invalid Signature <sig>. String to sign - '<s>'."}}
// (401), "Stale request - reported time is ... which is more than 1 hour
// ago" (400), "Unknown API key <key>" (401). The algorithms live in this
// package's own code (sign.go), independent of the provider's, and its
// tests pin them to the vectors Cloudinary publishes.
//
// # Content
//
// The resource type of an auto upload, and whether an image or video
// upload is accepted, follow the sniffed content type
// (net/http.DetectContentType); image dimensions come from the standard
// library decoders (PNG, JPEG, GIF). The fake never transforms.
package cloudinaryfake
