// Package r2 is the mediastore provider for Cloudflare R2: the
// S3-compatible provider of package s3compat with R2's endpoint, region and
// checksum settings. All the work is in s3compat; this package holds what
// is particular to R2.
//
//	cfg, err := r2.ConfigFromEnv() // R2_ACCOUNT_ID, R2_ACCESS_KEY_ID, ...
//	if err != nil {
//		log.Fatal(err) // names every missing variable
//	}
//	p, err := r2.New(cfg)
//
// # Capabilities
//
// As [s3compat.Provider]: Put (streamed, multipart for large or
// unknown-length streams), Stat, Delete, URL, direct uploads by presigned
// PUT, ranged reads and listing.
//
// # Quirks
//
//   - Endpoint: https://ACCOUNT_ID.r2.cloudflarestorage.com ([Endpoint]);
//     jurisdictions use https://ACCOUNT_ID.eu.r2.cloudflarestorage.com and
//     the like, through Config.Endpoint.
//   - Region: always "auto" ([Region]); "" and "us-east-1" alias to it.
//   - Checksums: aws-sdk-go-v2 from service/s3 v1.73 sends CRC32 checksums
//     by default, which R2 first rejected ("Header 'x-amz-checksum-crc32'
//     ... not implemented") and still handles differently from S3 for
//     ranged reads. The provider sends checksums only where an operation
//     requires one. R2 does verify x-amz-checksum-sha256 on PutObject, so
//     a client's declared SHA-256 is signed into its ticket and R2 refuses
//     other bytes (BadDigest).
//   - Presigned URLs: GET, HEAD, PUT and DELETE only; presigned POST (HTML
//     form uploads) is not supported, so tickets are PUTs. Expiry from 1
//     second to 7 days. Presigned URLs work only on the
//     r2.cloudflarestorage.com endpoint, never on a custom domain.
//   - Replays: R2 honours If-None-Match on PutObject. With
//     Config.CreateOnly (R2_CREATE_ONLY_UPLOADS=true) a ticket uploads
//     once and R2 answers a second PUT with 412, so the object that
//     ConfirmUpload checked cannot be swapped afterwards. The client must
//     send the ticket's If-None-Match: * header. Off by default, because
//     the guide's browser code sends only Content-Type; without it a
//     ticket can be replayed until it expires.
//   - Browser uploads need a CORS rule on the bucket allowing PUT from the
//     page's origin with the Content-Type header (and
//     x-amz-checksum-sha256 when clients declare checksums, If-None-Match
//     with CreateOnly).
//   - Public access: a bucket is private unless it is exposed on an r2.dev
//     subdomain (rate-limited, for development) or a custom domain; set
//     Config.PublicBaseURL to that address. Without it, URLs are presigned
//     GETs.
//   - Not supported by R2 and not used here: object ACLs (x-amz-acl),
//     tagging, object lock, SSE-KMS.
//   - Limits: 5 GiB per PutObject, 10,000 parts, keys up to 1024 bytes.
package r2
