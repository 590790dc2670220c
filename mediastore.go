package mediastore

import (
	"context"
	"io"
	"iter"
	"net/http"
	"time"
)

// Provider stores bytes and addresses them. Implementations must be safe for
// concurrent use. The [Client] validates and normalizes every argument before
// it calls a provider: keys are non-empty and sanitized, and options are
// never nil.
//
// Every error a provider returns for a missing object satisfies
// errors.Is(err, ErrNotFound); transport and service failures satisfy
// errors.Is(err, ErrProvider). Errors never contain credentials.
type Provider interface {
	// Name identifies the provider ("disk", "r2", "cloudinary"). It is
	// stored in File.Provider and must be stable.
	Name() string

	// Put streams r to key without holding the whole stream in memory.
	// opts.Size is the exact length, or -1 when unknown. When r returns an
	// error, Put must fail and leave no object behind. The returned Object's
	// Key is authoritative: providers that assign their own identifiers
	// (Uploadcare UUIDs) return them there.
	Put(ctx context.Context, key string, r io.Reader, opts *PutOptions) (*Object, error)

	// Stat reports what is really stored under key, or an ErrNotFound error.
	Stat(ctx context.Context, key string) (*Object, error)

	// Delete removes key. Deleting a missing key returns nil, because the
	// sweeper retries deletes.
	Delete(ctx context.Context, key string) error

	// URL returns the public URL of key, or a signed URL that expires after
	// opts.Expiry when the storage is private or opts.Signed is set.
	URL(ctx context.Context, key string, opts *URLOptions) (string, error)
}

// DirectUploader is the optional capability of providers that let a client
// upload straight to them (a presigned PUT, a Cloudinary signature, an
// Uploadcare signed upload).
type DirectUploader interface {
	// PrepareDirect returns the ticket a client uses to upload to key.
	// Where the provider can enforce them, opts.ContentType, opts.Size and
	// opts.SHA256 are signed into the ticket. The Ticket's Key, when set,
	// is the provider's authoritative key for the upload (later calls
	// receive it); when empty, key is. PrepareDirect must not rely on the
	// upload being recorded yet: the Client records the intent after it
	// returns and hands the ticket out only once the intent is stored.
	PrepareDirect(ctx context.Context, key string, opts *DirectOptions) (*Ticket, error)
}

// DirectVerifier is the optional capability of providers whose direct
// uploads are proven by evidence the client brings back (Cloudinary's
// response signature, Uploadcare's file UUID). Without it, the Client
// confirms a direct upload with [Provider.Stat].
type DirectVerifier interface {
	// VerifyDirect returns what the provider really stores for the upload
	// made with the ticket for key. proof holds the provider-specific fields
	// of the client's confirm request and may be empty. The returned
	// Object's Key is authoritative. It returns an ErrNotFound error when
	// nothing was uploaded and an ErrForbidden error when the proof is
	// forged.
	VerifyDirect(ctx context.Context, key string, proof map[string]string) (*Object, error)
}

// DirectKeyer is the optional capability of providers whose clients report
// a direct upload by the provider's own identifiers (Cloudinary's public_id
// and resource_type) rather than by the ticket's key.
type DirectKeyer interface {
	// DirectKey returns the ticket key that proof names, or an ErrInvalid
	// error when proof names none. It does no I/O and proves nothing: the
	// Client still checks that the key was issued to the owner, and
	// VerifyDirect still checks the proof.
	DirectKey(proof map[string]string) (string, error)
}

// RangeReader is the optional capability of providers that can read part of
// a stored object. The Client uses it to sniff the real content type of a
// direct upload from its first bytes.
type RangeReader interface {
	// ReadRange returns a reader of length bytes of key starting at offset;
	// length -1 reads to the end. It returns an ErrNotFound error for a
	// missing key.
	ReadRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)
}

// Transformer is the optional capability of providers that transform media
// on delivery (Cloudinary, Uploadcare).
type Transformer interface {
	// TransformURL returns a delivery URL of key with t applied.
	TransformURL(ctx context.Context, key string, t *Transform, opts *URLOptions) (string, error)
}

// Committer is the optional capability of providers with a two-phase store
// (Uploadcare's "store"). Objects written by Put are temporary and removed
// by the provider itself unless committed. The Client records the object's
// key before it commits, so a crash at any point leaves either a temporary
// object that expires or a row the sweeper finishes.
type Committer interface {
	// Commit makes the temporary object at key permanent.
	Commit(ctx context.Context, key string) error
}

// Lister is the optional capability of providers that can enumerate their
// objects. [Client.Reconcile] uses it.
type Lister interface {
	// ListObjects yields every object whose key starts with prefix, with
	// its Key, Size and ModTime set.
	ListObjects(ctx context.Context, prefix string) iter.Seq2[*Object, error]
}

// StatReader is the optional capability of providers that report an
// object together with its first bytes in one request (for S3, a ranged
// GET: its response carries the object's size, type and ETag).
// [Client.ConfirmUpload] uses it, when the provider has no
// [DirectVerifier] and the client declared no checksum, instead of Stat
// followed by ReadRange: one round trip to the provider fewer per confirm.
type StatReader interface {
	// StatRead returns what Stat returns for key, but for SHA256, which it
	// leaves empty, and the object's first min(n, size) bytes. It returns
	// an ErrNotFound error for a missing key.
	StatRead(ctx context.Context, key string, n int) (*Object, []byte, error)
}

// StoredHasher is the optional capability of providers that compute the
// SHA-256 of the bytes they store. When HashesStored reports true, Put
// returns the lowercase hex SHA-256 of the stored object in Object.SHA256,
// and the Client records it instead of hashing the stream a second time.
// A digest of what was stored proves more than one of what was sent; the
// disk provider computes it by reading its temp file back from the page
// cache while the file is being written, which costs the writer nothing.
type StoredHasher interface {
	// HashesStored reports whether Put sets Object.SHA256 from the stored
	// bytes.
	HashesStored() bool
}

// Object is what a provider reports about a stored object.
type Object struct {
	// Key addresses the object at the provider.
	Key string
	// Size is the stored length in bytes.
	Size int64
	// ContentType is the MIME type the provider reports, if any.
	ContentType string
	// ResourceType is "image", "video" or "raw" where the provider knows.
	ResourceType string
	// ETag is the provider's entity tag, if any.
	ETag string
	// SHA256 is the lowercase hex SHA-256 of the content when the provider
	// stores or computes it.
	SHA256 string
	// URL is the provider's canonical delivery URL, if it has one.
	URL string
	// Width and Height are the pixel dimensions of images and videos, when
	// the provider reports them.
	Width, Height int
	// ModTime is when the object was written, if known.
	ModTime time.Time
	// Extra holds provider-specific attributes (Cloudinary's version and
	// format, Uploadcare's image info), stored as JSON with the file row.
	Extra map[string]any
}

// PutOptions describes a stream given to [Provider.Put].
type PutOptions struct {
	// Size is the exact length of the stream, or -1 when unknown.
	Size int64
	// ContentType is the MIME type sniffed from the content.
	ContentType string
	// ResourceType is "image", "video" or "raw", derived from ContentType.
	ResourceType string
	// Filename is the sanitized original file name, for providers that keep
	// it. It may be empty.
	Filename string
}

// URLOptions controls the URLs a provider makes.
type URLOptions struct {
	// Expiry is how long a signed URL stays valid. The Client always sets
	// it to a positive value.
	Expiry time.Duration
	// Signed asks for a signed, expiring URL even where a public one exists.
	Signed bool
	// DownloadName, when set, asks for a response that makes browsers save
	// the file under this name (Content-Disposition: attachment), where the
	// provider supports it.
	DownloadName string
}

// DirectOptions describes a direct upload for [DirectUploader.PrepareDirect].
type DirectOptions struct {
	// ContentType is the type the client declared, or "" when it declared
	// none. Providers that can sign it make the upload fail with any other
	// type.
	ContentType string
	// ResourceType is "image", "video" or "raw", derived from ContentType,
	// or "" when no type was declared (Cloudinary's "auto").
	ResourceType string
	// Size is the length the client declared, or -1 when it declared none.
	Size int64
	// MaxSize is the largest upload the Client accepts, for providers that
	// can enforce a limit in the ticket.
	MaxSize int64
	// SHA256 is the lowercase hex SHA-256 the client declared, or "".
	SHA256 string
	// Filename is the sanitized original file name. It may be empty.
	Filename string
	// Expiry is how long the ticket stays valid.
	Expiry time.Duration
}

// Ticket tells a client how to upload one file straight to the provider.
type Ticket struct {
	// Key is the key the upload is bound to; the client sends it back to
	// [Client.ConfirmUpload].
	Key string `json:"key"`
	// Method is "PUT" or "POST".
	Method string `json:"method"`
	// URL is where the client sends the file.
	URL string `json:"url"`
	// Headers must be sent exactly as given (they are signed).
	Headers http.Header `json:"headers,omitempty"`
	// Fields are the form fields of a multipart POST upload, sent before
	// the file.
	Fields map[string]string `json:"fields,omitempty"`
	// FileField is the form field name of the file in a POST upload.
	FileField string `json:"file_field,omitempty"`
	// PublicURL is the URL the file will have once confirmed, when the
	// storage is public; "" for private storage, whose URLs are signed on
	// request.
	PublicURL string `json:"public_url,omitempty"`
	// ExpiresAt is when the ticket stops working.
	ExpiresAt time.Time `json:"expires_at"`
}

// Transform is a provider-neutral description of a delivery transformation.
// Providers translate it into their own URL syntax; Raw steps are appended
// verbatim in the provider's syntax.
type Transform struct {
	Width, Height int
	// Crop is the resize mode: "fill", "fit", "scale", "crop", "pad", or "".
	Crop string
	// Gravity is the focus of a crop: "center", "face", "north", ..., or "".
	Gravity string
	// Quality is a number from 1 to 100, or 0 for the provider's default.
	Quality int
	// Format is the output format ("webp", "jpg", "auto"), or "".
	Format string
	// Raw holds provider-syntax steps appended after the typed ones.
	Raw []string
}

// Status is the life-cycle state of a file row.
type Status string

// The states of a file row. A row is pending from the intent until the
// provider holds the object, ready while it can be served, and deleting from
// the tombstone until both the object and the row are gone.
const (
	StatusPending  Status = "pending"
	StatusReady    Status = "ready"
	StatusDeleting Status = "deleting"
)

// Valid reports whether s is one of the defined states.
func (s Status) Valid() bool {
	return s == StatusPending || s == StatusReady || s == StatusDeleting
}

// File is the row that records one stored object.
type File struct {
	ID           string         `json:"id"`
	Owner        string         `json:"user_id"`
	Provider     string         `json:"provider"`
	Key          string         `json:"key"`
	Status       Status         `json:"status"`
	Filename     string         `json:"filename,omitempty"`
	ContentType  string         `json:"content_type"`
	ResourceType string         `json:"resource_type"`
	Size         int64          `json:"size"`
	SHA256       string         `json:"sha256,omitempty"`
	ETag         string         `json:"etag,omitempty"`
	URL          string         `json:"url"`
	Width        int            `json:"width,omitempty"`
	Height       int            `json:"height,omitempty"`
	Extra        map[string]any `json:"extra,omitempty"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
	// ExpiresAt is when a pending or deleting row becomes work for the
	// sweeper. It is zero for ready rows.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// MetadataStore keeps File rows. Implementations must be safe for concurrent
// use. Every call that takes an Owner never reads, changes or returns a row
// of another owner; a row of another owner is reported as ErrNotFound.
type MetadataStore interface {
	// Insert records a new row and returns it with its ID and timestamps.
	// A row with the same (Provider, Key) yields an ErrConflict error.
	Insert(ctx context.Context, p *InsertParams) (*File, error)

	// Get returns the owner's row with p.ID, or an ErrNotFound error.
	Get(ctx context.Context, p *GetParams) (*File, error)

	// GetByKey returns the owner's row with (p.Provider, p.Key), or an
	// ErrNotFound error.
	GetByKey(ctx context.Context, p *GetByKeyParams) (*File, error)

	// List returns a page of the owner's rows in the given status, newest
	// first, ordered by (CreatedAt, ID) descending.
	List(ctx context.Context, p *ListParams) (*ListResult, error)

	// SetStatus changes the row's status from p.From to p.To atomically
	// (compare and set) and applies p.Object and p.ExpiresAt. It returns an
	// ErrConflict error when the row is not in p.From and an ErrNotFound
	// error when it does not exist (or belongs to another owner).
	SetStatus(ctx context.Context, p *SetStatusParams) (*File, error)

	// Delete removes the row when it is in p.Status. It returns an
	// ErrNotFound error when there is no such row and an ErrConflict error
	// when it is in another status.
	Delete(ctx context.Context, p *DeleteParams) error

	// ClaimExpired takes up to p.Limit rows of p.Provider that are pending
	// or deleting and whose ExpiresAt is at or before p.Now, marks them
	// deleting with ExpiresAt = p.Now + p.Lease, and returns them. Two
	// concurrent claims never return the same row.
	ClaimExpired(ctx context.Context, p *ClaimParams) ([]*File, error)
}

// RowScanner is the optional capability of metadata stores that can list
// every row of a provider, across owners, for [Client.Reconcile]. It is a
// system call: with Row Level Security it needs a role that sees every row.
type RowScanner interface {
	// ScanRows returns up to p.Limit rows of p.Provider in any status whose
	// key starts with p.Prefix and sorts after p.AfterKey, ordered by key
	// (byte order). ListResult.Next is unused; the caller continues after
	// the last row's key.
	ScanRows(ctx context.Context, p *ScanParams) ([]*File, error)
}

// ScanParams selects a page of [RowScanner.ScanRows].
type ScanParams struct {
	Provider string
	Prefix   string
	AfterKey string
	Limit    int
}

// InsertParams are the fields of a new row.
type InsertParams struct {
	Owner        string
	Provider     string
	Key          string
	Status       Status
	Filename     string
	ContentType  string
	ResourceType string
	// Size is the known or declared size; 0 when unknown.
	Size   int64
	SHA256 string
	URL    string
	Extra  map[string]any
	// ExpiresAt is required for pending and deleting rows.
	ExpiresAt time.Time
}

// GetParams selects one row by ID.
type GetParams struct {
	Owner string
	ID    string
}

// GetByKeyParams selects one row by provider and key.
type GetByKeyParams struct {
	Owner    string
	Provider string
	Key      string
}

// ListParams selects a page of an owner's rows.
type ListParams struct {
	Owner string
	// Status selects the rows; the Client lists ready rows.
	Status Status
	// ResourceType, when set, keeps only rows of that resource type.
	ResourceType string
	// Limit is the page size, from 1 to 1000.
	Limit int
	// After, when set, starts the page after this position.
	After *Cursor
}

// ListResult is one page of rows.
type ListResult struct {
	Files []*File
	// Next is the position after the last row, or nil on the last page.
	Next *Cursor
}

// SetStatusParams is a compare-and-set of a row's status.
type SetStatusParams struct {
	ID string
	// Owner scopes the change; "" is a system change (the sweeper, the
	// compensation of a failed upload) that may touch any owner's row.
	Owner string
	From  Status
	To    Status
	// Object, when set, replaces the row's key, size, content type,
	// resource type, checksum, ETag, URL, dimensions and extras with what
	// the provider reported. Empty string fields and zero numbers leave
	// the row's value as it is.
	Object *Object
	// ExpiresAt is the new expiry; the zero time clears it.
	ExpiresAt time.Time
}

// DeleteParams removes one row.
type DeleteParams struct {
	ID string
	// Owner scopes the delete; "" is a system delete.
	Owner string
	// Status is the status the row must be in.
	Status Status
}

// ClaimParams selects expired work for the sweeper.
type ClaimParams struct {
	Provider string
	Now      time.Time
	Limit    int
	// Lease is how long the claimed rows stay out of other claims.
	Lease time.Duration
}
