// Package provider holds what mediastore's providers share: the
// S3-compatible core ([github.com/mediastore/mediastore/provider/s3compat]),
// the local-folder provider ([github.com/mediastore/mediastore/provider/disk]),
// the in-memory provider ([github.com/mediastore/mediastore/provider/memory])
// and the conformance suite every provider passes
// ([github.com/mediastore/mediastore/provider/providertest]). This package
// itself has no code; it documents the contract.
//
// # What every provider must do
//
// A provider implements [mediastore.Provider] and is safe for concurrent use.
// The [mediastore.Client] hands it sanitized, non-empty keys of the form
// "owner/uniqueid-name.ext" (the name may hold unicode) and non-nil options.
//
//   - Put streams the reader to the key without holding the whole stream in
//     memory; PutOptions.Size is the exact length or -1 when unknown. When
//     the reader fails or the context is cancelled, Put fails and leaves no
//     object behind. The Object it returns is authoritative: its Key is what
//     later calls receive (a provider may assign its own keys), its Size is
//     what was stored.
//   - Stat reports what is really stored, or an error satisfying
//     errors.Is(err, mediastore.ErrNotFound).
//   - Delete removes the key; deleting a missing key returns nil, because
//     the sweeper retries deletes.
//   - URL returns a URL that downloads exactly the stored bytes: public, or
//     signed and expiring after URLOptions.Expiry when the storage is
//     private or URLOptions.Signed is set.
//   - Errors are [*mediastore.Error] values made with [mediastore.NewError]:
//     the message starts "mediastore:", errors.Is matches exactly one
//     sentinel (ErrNotFound for missing objects, ErrInvalid for bad input,
//     ErrProvider for transport and service failures), the cause is wrapped,
//     and no credential or signature appears in it.
//   - Config types that hold credentials implement String and LogValue
//     (log/slog) and redact them.
//
// # Capabilities
//
// Optional interfaces that a provider may also implement; the Client checks
// them with a type assertion and returns ErrUnsupported from flows that need
// a missing one.
//
//	capability                   disk  memory  s3compat (r2, b2)  cloudinary  uploadcare
//	mediastore.RangeReader        yes   yes     yes                yes         yes
//	mediastore.Lister             yes   yes     yes                -           -
//	mediastore.DirectUploader     yes   yes     yes (presigned)    yes         yes
//	mediastore.DirectVerifier     -     -       -                  yes         yes
//	mediastore.Transformer        -     -       -                  yes         yes
//	mediastore.Committer          -     -       -                  -           yes
//
// Each provider package's documentation is the reference for its own
// capabilities and quirks.
//
// # Conformance
//
// Every provider, in this module or outside it, runs
// [github.com/mediastore/mediastore/provider/providertest.Run] from a test
// with a Harness that makes the provider and an HTTP client for its URLs.
// The suite tests the promises above and each capability the provider
// implements; a new promise is added to the suite first.
package provider
