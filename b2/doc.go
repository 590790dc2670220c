// Package b2 is the mediastore provider for Backblaze B2 through its
// S3-compatible API: the provider of package s3compat with B2's endpoint,
// region and checksum settings. All the work is in s3compat; this package
// holds what is particular to B2.
//
//	cfg, err := b2.ConfigFromEnv() // B2_APPLICATION_KEY_ID, B2_APPLICATION_KEY, ...
//	if err != nil {
//		log.Fatal(err) // names every missing variable
//	}
//	p, err := b2.New(cfg)
//
// # Capabilities
//
// As [s3compat.Provider]: Put (streamed, multipart for large or
// unknown-length streams), Stat, Delete, URL, direct uploads by presigned
// PUT, ranged reads and listing.
//
// # Quirks
//
//   - Endpoint: https://s3.REGION.backblazeb2.com, as the bucket's page
//     shows it ([Endpoint]); the region (like us-west-004) is the host label
//     between "s3." and ".backblazeb2.com" ([RegionOf]). For any other host
//     (a local server) the region is Config.Region (B2_REGION), else
//     us-east-1.
//   - HTTPS only: B2 rejects plain HTTP, so New refuses an http://
//     backblazeb2.com endpoint.
//   - Credentials: an application key (B2_APPLICATION_KEY_ID and
//     B2_APPLICATION_KEY); the master application key does not work with
//     the S3 API. SigV4 only. Buckets made before May 2020 are not
//     S3-compatible.
//   - Checksums: B2 rejects the x-amz-checksum-* headers ("Unsupported
//     header 'x-amz-checksum-crc32' received for this API call") that
//     aws-sdk-go-v2 sends by default from service/s3 v1.73, and
//     x-amz-checksum-mode on reads. The provider sends no checksum header
//     at all: declared SHA-256s are not signed into tickets (the Client
//     checks what it can at confirm), and Stat reports no SHA-256.
//   - Presigned URLs work for upload (PUT) and download (GET). Browser
//     uploads need an S3 CORS rule on the bucket allowing PUT with the
//     Content-Type header.
//   - Replays: B2's S3 API does not list If-None-Match for PutObject, so
//     this package offers no create-only tickets (s3compat's CreateOnly):
//     a ticket can be sent again until it expires, also after
//     ConfirmUpload has checked the first upload. Keep the expiry short
//     and have clients declare the size, which the ticket then signs.
//   - ACLs: only bucket-level private or public-read. For a public bucket
//     set Config.PublicBaseURL (such as
//     https://f004.backblazeb2.com/file/BUCKET or a CDN in front of it);
//     without it, URLs are presigned GETs.
//   - Both virtual-host and path-style addressing work; S3_FORCE_PATH_STYLE
//     is for local servers.
package b2
