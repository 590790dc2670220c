// Package mediastore stores media files at a provider (Cloudinary,
// Uploadcare, Cloudflare R2, Backblaze B2, any S3-compatible bucket, a local
// folder) and keeps the truth about every file in PostgreSQL.
//
// A [Client] composes one [Provider] and one [MetadataStore] and owns the
// flows: streamed, verified, owner-scoped uploads; direct client uploads with
// a verified confirm; listing; URLs; and a crash-safe delete. A [Sweeper]
// finishes the work that a crash or a failure left behind.
package mediastore
