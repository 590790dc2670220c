// Package uploadcarefake is a fake Uploadcare for tests: three httptest
// servers on 127.0.0.1 (Upload API, REST API, CDN) sharing one in-memory
// project, checking credentials and signatures as Uploadcare documents them
// and refusing wrong ones.
//
// # Upload API ([Server.UploadURL])
//
//   - POST /base/: multipart/form-data with UPLOADCARE_PUB_KEY,
//     UPLOADCARE_STORE (0, 1 or auto), metadata[<key>], signature and
//     expire, and file parts under any field name; answers
//     {"<field>":"<uuid>"}.
//   - POST /multipart/start/ (size of at least 10485760 bytes), PUT of each
//     part to the part URLs it answers (served by this fake, with a
//     presigned-looking X-Amz-Signature and the Content-Type given at start
//     required), POST /multipart/complete/.
//   - GET /info/?pub_key=&file_id=.
//
// Errors are text/plain: 400 "UPLOADCARE_PUB_KEY is required.", 403
// "UPLOADCARE_PUB_KEY is invalid.", 400 "`signature` is required.", 400
// "`expire` must be a UNIX timestamp.", 403 "Expired signature.", 403
// "Invalid signature.", 413 "File is too large.". The signature is
// hex(HMAC-SHA256(secret key, expire)); it is required when
// Options.SignedUploads is set and checked whenever it is sent.
//
// With Options.DiscardContent the fake keeps of each file only its size
// and first 512 bytes, so that benchmarks can upload gigabytes to it.
//
// A file's MIME type is the one declared for it (the file part's
// Content-Type, the content_type of /multipart/start/), else the one
// sniffed from its first bytes; images (PNG, JPEG, GIF) get their
// dimensions.
//
// # REST API ([Server.APIURL])
//
// GET /files/{uuid}/, PUT and DELETE /files/{uuid}/storage/. Every request
// needs "Accept: application/vnd.uploadcare-v0.7+json" (406 otherwise) and
// "Authorization: Uploadcare.Simple <public>:<secret>" or "Uploadcare
// <public>:<hex HMAC-SHA1(secret, VERB\nmd5(body)\nContent-Type\nDate\nURI)>"
// with a Date header within 15 minutes of the fake's clock, checked as sent
// (401 with a JSON {"detail": ...} otherwise). Unknown files are 404
// {"detail":"Not found."}; removed files keep answering GET with
// datetime_removed set, as Uploadcare does.
//
// # CDN ([Server.CDNURL])
//
// GET /{uuid}/ and /{uuid}/<operations and file name> serve the bytes of
// stored and temporary files (ranges too; operations are not applied). With
// Options.SecureDeliverySecret every request needs a valid
// ?token=exp=..~acl=..~hmac=.. (403 otherwise).
//
// # Temporary files
//
// Files uploaded with UPLOADCARE_STORE=0 stay temporary until stored
// through the REST API. [Server.Files] shows which files are stored and
// which temporary; [Server.ExpireTemporary] removes the temporary ones as
// Uploadcare does 24 hours after their upload.
package uploadcarefake
