// Package s3compat is the mediastore provider for S3-compatible object
// storage (AWS S3, Cloudflare R2, Backblaze B2, MinIO, versitygw), on
// aws-sdk-go-v2's service/s3. The r2 and b2 packages are thin presets of
// it.
//
//	p, err := s3compat.New(s3compat.Config{
//		Endpoint:        "https://s3.example.com",
//		Region:          "us-east-1",
//		Bucket:          "media",
//		AccessKeyID:     os.Getenv("S3_ACCESS_KEY_ID"),
//		SecretAccessKey: os.Getenv("S3_SECRET_ACCESS_KEY"),
//	})
//
// # Capabilities
//
// [Provider] implements mediastore.Provider, mediastore.DirectUploader
// (presigned PUT), mediastore.RangeReader (ranged GET, used to sniff a
// direct upload's real type), mediastore.StatReader (one ranged GET whose
// Content-Range gives the size: a confirm without a declared checksum
// costs one request, not a HEAD and a GET) and mediastore.Lister
// (ListObjectsV2).
//
// # Uploads
//
// [Provider.Put] streams: a stream of known size up to
// Config.MultipartThreshold (100 MiB by default) goes straight into one
// PutObject as it is read; anything else is read into reused part buffers
// and sent as one PutObject when it fits in a part, else as a multipart
// upload with Config.Concurrency parts in flight. Memory is bounded by
// (Concurrency+1) × PartSize whatever the stream's length (24 MiB with the
// defaults). A multipart upload that fails or is cancelled is
// aborted, under a context that survives the cancellation.
//
// Bodies are sent with an UNSIGNED-PAYLOAD signature, over plain HTTP as
// over HTTPS: the SDK never reads a body twice to hash it, and streams need
// not be seekable. A failed stream leaves no object because the service
// refuses a body shorter than its Content-Length, as AWS, R2, B2 and MinIO
// do. (versitygw v1.8.0 stores what it got when the client closes the
// connection gracefully; the test harness resets connections instead.)
//
// # Checksums
//
// Since service/s3 v1.73 the SDK adds CRC32 checksums to uploads by
// default, and over HTTPS an aws-chunked body with a checksum trailer,
// which B2 and other S3-compatible services reject. New builds its client
// with RequestChecksumCalculation and ResponseChecksumValidation set to
// WhenRequired, and reads no shared config or environment, so no request
// carries a checksum header unless asked for: with Config.SHA256Checksums,
// direct-upload tickets sign the client's declared SHA-256 as
// x-amz-checksum-sha256 and [Provider.Stat] asks for the stored checksum
// (x-amz-checksum-mode). The Client computes the SHA-256 of server-side
// uploads itself.
//
// # Direct uploads
//
// [Provider.PrepareDirect] presigns a PUT with s3.NewPresignClient. The
// Content-Type is always signed, the Content-Length when the client
// declared a size, and the checksum as above: the service refuses a body of
// another type, length or content. The ticket's Headers are exactly the
// signed headers to send. Tickets expire after Config.DirectUploadExpiry
// (5 minutes by default, as the guides), at most 7 days.
//
// A presigned PUT can be sent again until it expires. A client could then
// upload once, have ConfirmUpload check the bytes, and replace them with
// unchecked ones (another type, or a larger body when no size was
// declared). Config.CreateOnly closes that: the ticket signs
// If-None-Match: *, and the service refuses any PUT onto a key that holds an
// object (412). The client must send that header, listed in the ticket's
// Headers; where it cannot, keep the expiry short, declare the size, and
// know that the window stays open until the ticket expires.
//
// # URLs
//
// With Config.PublicBaseURL, [Provider.URL] returns that base joined with
// the path-escaped key (a CDN, a custom domain, R2's r2.dev). Otherwise,
// or when mediastore.URLOptions.Signed is set, it presigns a GET that
// expires after URLOptions.Expiry, with a Content-Disposition attachment
// when URLOptions.DownloadName is set.
//
// # Errors
//
// Every error is a *mediastore.Error: a missing object satisfies
// errors.Is(err, mediastore.ErrNotFound), a service or transport failure
// (including a missing bucket and refused credentials) ErrProvider, bad
// arguments ErrInvalid. The SDK's error stays in the chain (errors.As
// reaches smithy.APIError; errors.Is reaches context.Canceled), with the
// credentials and any signature removed from its message. Config and
// Provider print and log without their credentials.
package s3compat
