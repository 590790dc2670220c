// Package mediastore stores media files at a provider (Cloudinary,
// Uploadcare, Cloudflare R2, Backblaze B2, any S3-compatible bucket, a local
// folder) and keeps the truth about every file in PostgreSQL.
//
// A [Client] composes one [Provider] and one [MetadataStore] and owns every
// flow. Users hold a *Client; providers and stores are small interfaces that
// receive validated, normalized arguments.
//
//	client, err := mediastore.New(provider, store, &mediastore.Config{
//		MaxSize:      50 << 20,
//		AllowedTypes: []string{"image/*"},
//	})
//
// This package imports only the standard library.
//
// # Providers
//
// A [Provider] puts a stream, stats a key, deletes a key (a missing key is
// not an error) and makes URLs. The implementations live in sub-packages:
// provider/disk (a local folder with HMAC-signed URLs), provider/memory,
// provider/s3compat with the thin r2 and b2 packages, cloudinary and
// uploadcare. Every one passes provider/providertest.
//
// # Capabilities
//
// Optional features are separate one-method interfaces, found by type
// assertion when the Client is made ([Client.Supports]):
//
//   - [DirectUploader]: tickets for uploads straight from the client
//     (presigned PUT, Cloudinary signature, Uploadcare signed upload);
//   - [DirectVerifier]: proof of a direct upload checked with the provider
//     (Cloudinary's response signature, Uploadcare's UUID lookup);
//   - [DirectKeyer]: the key named by such a proof;
//   - [RangeReader]: the first bytes of an object, to sniff its real type;
//   - [StatReader]: an object and its first bytes in one request, for
//     [Client.ConfirmUpload] (S3's ranged GET instead of HEAD and GET);
//   - [Transformer]: delivery URLs with transformations;
//   - [Committer]: two-phase stores (Uploadcare's temporary files);
//   - [Lister]: object listings for [Client.Reconcile];
//   - [StoredHasher]: the provider reports the SHA-256 of what it stored
//     (the disk provider), so [Client.Upload] does not hash the stream too.
//
// A flow that needs a missing capability returns an [ErrUnsupported] error.
//
// # Stores
//
// A [MetadataStore] keeps [File] rows: insert, get, keyset list, status
// compare-and-set, delete and the sweeper's claims. store/pgstore is the
// PostgreSQL store (embedded migrations, Row Level Security, works through
// transaction-mode poolers such as Neon's); store/memstore has the same
// semantics in memory. Both pass store/storetest.
//
// # Flows
//
// [Client.Upload] is intent-first and streamed: the type is sniffed from the
// first 512 bytes and checked before anything is written, a pending row is
// recorded while the stream starts, the size limit is enforced and the
// SHA-256 computed while streaming, the object can only complete once its
// row exists, and the row becomes ready with what the provider reports. On
// failure the object and the row are removed, even when ctx is cancelled.
//
// [Client.PrepareUpload] and [Client.ConfirmUpload] are the direct-upload
// pair: a ticket bound to the owner, then one verified finalize step that
// trusts only what the provider reports.
//
// [Client.Get], [Client.List] (keyset pages with an opaque [Cursor]),
// [Client.All] (an iterator over every page), [Client.URL] and
// [Client.TransformURL] read. [Client.Delete] is a crash-safe state
// machine: tombstone, provider delete, row delete.
//
// A [Sweeper] finishes what failures and crashes leave: expired intents and
// stuck tombstones, claimed in batches so that any number of instances may
// sweep at once. [Client.Reconcile] compares a provider listing with the
// rows.
//
// # Errors
//
// Every error matches one of the sentinels with errors.Is: [ErrNotFound],
// [ErrConflict], [ErrTooLarge], [ErrTypeNotAllowed], [ErrForbidden],
// [ErrInvalid], [ErrUnsupported], [ErrProvider], [ErrStore]. Most are an
// [*Error] carrying the operation, provider and key; errors.As reaches the
// provider's or the database's own error in its chain. Messages start with
// "mediastore:" and never contain credentials. The httpapi package maps the
// sentinels to HTTP statuses.
//
// # Testing
//
// The Example functions run on provider/memory and store/memstore.
// providertest and storetest are importable, so a provider or store of your
// own can prove it keeps the same promises.
package mediastore
