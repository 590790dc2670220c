// Package tests3 gives tests a real S3 server that verifies SigV4 signatures,
// so that presigned URLs, signed headers and expiry are really checked.
//
// # Servers
//
// [Start] returns a server shared by every test of the process, started on
// first use:
//
//   - when MEDIASTORE_TEST_S3_ENDPOINT is set, that endpoint, with
//     MEDIASTORE_TEST_S3_ACCESS_KEY, MEDIASTORE_TEST_S3_SECRET_KEY and
//     MEDIASTORE_TEST_S3_REGION (default us-east-1). It serves the requests
//     whose scheme (http or https) and region match it;
//   - otherwise versitygw v1.8.0 with its posix backend in a temporary
//     folder, listening on 127.0.0.1 only, over plain HTTP or, with
//     [Options].TLS, over HTTPS with a certificate made for 127.0.0.1 (trusted
//     by [Server.HTTPClient] and [Server.S3Client]).
//
// The versitygw binary is built once with
// `go install github.com/versity/versitygw/cmd/versitygw@v1.8.0` into
// $MEDIASTORE_CACHE_DIR/versitygw-v1.8.0, or the user cache directory's
// mediastore/versitygw-v1.8.0, under a file lock, and reused by every later
// run. The first build takes a few minutes.
//
// When no server can be had, [Start] skips the test with one line, except
// when CI=true: then it fails the test.
//
// # Buckets
//
// Each test takes its own bucket with [Server.NewBucket]; the bucket, its
// objects and its pending multipart uploads are removed when the test ends.
//
//	func TestPut(t *testing.T) {
//		ctx := context.Background()
//		srv := tests3.Start(ctx, t, nil)
//		bucket := srv.NewBucket(ctx, t)
//		p, err := s3compat.New(s3compat.Config{
//			Endpoint: srv.Endpoint, Region: srv.Region, Bucket: bucket,
//			AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey,
//			UsePathStyle: true, HTTPClient: srv.HTTPClient(),
//		})
//		...
//	}
//
// # Stopping
//
// The servers are processes: stop them when the tests are done, before a
// goroutine leak check, with [StopAfter]:
//
//	func TestMain(m *testing.M) {
//		goleak.VerifyTestMain(tests3.StopAfter(m))
//	}
package tests3
