// Package presigntest is the end-to-end suite of the example servers whose
// guide uploads through a presigned PUT (examples/r2, examples/b2): the
// guides' flows and the refusals of examples-contract.md, driven over HTTP
// as a user drives them with curl, through the example's own handler
// ([app.NewServer] with the example's routes) on a real S3 server that
// checks SigV4 (internal/tests3, over TLS) and a real PostgreSQL
// (internal/testdb), and through the example's built binary for what only
// the binary does (the environment, exit status 2, migrations at start).
// Import it from _test.go files only.
//
// # Use
//
// An example's main_test.go describes the example and runs the suite:
//
//	func TestMain(m *testing.M) { presigntest.Main(m) }
//
//	func TestExample(t *testing.T) {
//		presigntest.Run(t, &presigntest.Example{Name: "r2", PresignPath: "/presign-upload", ...})
//	}
//
// # What it checks
//
//   - the guide's flow: presign, PUT to the presigned URL with the declared
//     Content-Type, save-metadata, list, get, a signed URL that downloads
//     the same bytes, delete, a second delete 404 (private and public
//     bucket);
//   - users who cannot see, fetch, sign, confirm or delete each other's
//     files (404, or 403 for a key);
//   - every refusal of save-metadata: a key not issued, issued to another
//     user, or already recorded; an object never uploaded, or deleted; a
//     size or a sniffed type outside the limits (and the object removed);
//     the client's publicFileUrl never stored; the presigned URL's signed
//     Content-Type and Content-Length enforced by the S3 server;
//   - POST /upload streamed to S3 before the request body ends, and its
//     refusals leaving no row and no object;
//   - 50 concurrent flows by 5 users giving exactly 50 rows and 50 objects;
//   - the binary: one line and status 2 for a missing variable, a malformed
//     one or an unreachable database, and the contract served from the
//     environment alone against a fresh database, stopped by SIGTERM.
package presigntest
