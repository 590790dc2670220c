package mediastore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Default values of [Config].
const (
	DefaultMaxSize      int64 = 100 << 20
	DefaultPendingTTL         = 15 * time.Minute
	DefaultTicketExpiry       = 5 * time.Minute
	DefaultURLExpiry          = time.Hour
	DefaultDeleteRetry        = time.Minute
	DefaultConcurrency        = 4
)

// compensationTimeout bounds the clean-up after a failed flow, which runs
// even when the caller's context is cancelled.
const compensationTimeout = 30 * time.Second

// Config configures a [Client]. The zero value, or a nil *Config, gives the
// documented defaults.
type Config struct {
	// MaxSize is the largest file accepted, in bytes, judged from the bytes
	// streamed or the provider's report, never from a client's claim.
	// Defaults to 100 MiB.
	MaxSize int64

	// AllowedTypes lists the accepted content types, as exact MIME types
	// ("application/pdf") or "type/*" patterns ("image/*"). The type is
	// sniffed from the first 512 bytes, never taken from the client.
	// Defaults to allowing every type.
	AllowedTypes []string

	// PendingTTL is how long an intent (a pending row) may wait for its
	// upload or confirm before the sweeper removes it and its object.
	// Defaults to 15 minutes.
	PendingTTL time.Duration

	// TicketExpiry is how long a direct-upload ticket stays valid; it is
	// capped at PendingTTL. Defaults to 5 minutes.
	TicketExpiry time.Duration

	// URLExpiry is how long signed URLs stay valid. Defaults to 1 hour.
	URLExpiry time.Duration

	// DeleteRetry is how long a deleting row waits before the sweeper
	// retries it, so the sweeper does not race a delete in progress.
	// Defaults to 1 minute.
	DeleteRetry time.Duration

	// Concurrency bounds the uploads UploadMany runs at once. Defaults to 4.
	Concurrency int

	// Logger receives warnings about clean-ups that failed and were left
	// to the sweeper. Defaults to discarding.
	Logger *slog.Logger

	// Test holds knobs for tests.
	Test TestConfig
}

// TestConfig holds test knobs. Leave it zero in production.
type TestConfig struct {
	// Now returns the current time. Defaults to time.Now.
	Now func() time.Time
	// NewKey returns the unique part of a new key. Defaults to 20 random
	// base32 characters.
	NewKey func() string
}

// Capability names an optional provider capability.
type Capability string

// The optional capabilities a provider may implement.
const (
	CapDirectUpload Capability = "direct-upload" // DirectUploader
	CapTransform    Capability = "transform"     // Transformer
	CapCommit       Capability = "commit"        // Committer
	CapRangeRead    Capability = "range-read"    // RangeReader
	CapList         Capability = "list"          // Lister
	CapVerifyDirect Capability = "verify-direct" // DirectVerifier
)

// Client composes one provider and one metadata store and owns every flow:
// validation, key generation, limits, hashing, the pending → ready →
// deleting state machine and the clean-up after failures. It is safe for
// concurrent use.
type Client struct {
	p     Provider
	s     MetadataStore
	cfg   Config
	log   *slog.Logger
	now   func() time.Time
	newID func() string

	direct    DirectUploader
	verifier  DirectVerifier
	keyer     DirectKeyer
	ranger    RangeReader
	statRead  StatReader
	selfHash  bool // the provider reports the SHA-256 of what it stored
	transform Transformer
	committer Committer
	lister    Lister
}

// New returns a Client that stores bytes with p and rows in s. A nil cfg
// means the defaults.
func New(p Provider, s MetadataStore, cfg *Config) (*Client, error) {
	if p == nil {
		return nil, errors.New("mediastore: New needs a Provider")
	}
	if s == nil {
		return nil, errors.New("mediastore: New needs a MetadataStore")
	}
	if p.Name() == "" {
		return nil, errors.New("mediastore: the Provider's Name is empty")
	}
	var c Config
	if cfg != nil {
		c = *cfg
	}
	c.MaxSize = cmp.Or(c.MaxSize, DefaultMaxSize)
	c.PendingTTL = cmp.Or(c.PendingTTL, DefaultPendingTTL)
	c.TicketExpiry = cmp.Or(c.TicketExpiry, DefaultTicketExpiry)
	c.URLExpiry = cmp.Or(c.URLExpiry, DefaultURLExpiry)
	c.DeleteRetry = cmp.Or(c.DeleteRetry, DefaultDeleteRetry)
	c.Concurrency = cmp.Or(c.Concurrency, DefaultConcurrency)
	switch {
	case c.MaxSize < 0:
		return nil, errors.New("mediastore: Config.MaxSize must be positive")
	case c.PendingTTL < 0:
		return nil, errors.New("mediastore: Config.PendingTTL must be positive")
	case c.TicketExpiry < 0:
		return nil, errors.New("mediastore: Config.TicketExpiry must be positive")
	case c.URLExpiry < 0:
		return nil, errors.New("mediastore: Config.URLExpiry must be positive")
	case c.DeleteRetry < 0:
		return nil, errors.New("mediastore: Config.DeleteRetry must be positive")
	case c.Concurrency < 0:
		return nil, errors.New("mediastore: Config.Concurrency must be positive")
	}
	c.TicketExpiry = min(c.TicketExpiry, c.PendingTTL)
	for _, t := range c.AllowedTypes {
		if t != "*" && (strings.Count(t, "/") != 1 || mediaType(t) != t || strings.HasPrefix(t, "*/") && t != "*/*") {
			return nil, fmt.Errorf("mediastore: Config.AllowedTypes has an invalid entry %q (want type/subtype or type/*, lowercase)", t)
		}
	}
	c.AllowedTypes = append([]string(nil), c.AllowedTypes...)
	cl := &Client{p: p, s: s, cfg: c, log: c.Logger, now: c.Test.Now, newID: c.Test.NewKey}
	if cl.log == nil {
		cl.log = slog.New(slog.DiscardHandler)
	}
	if cl.now == nil {
		cl.now = time.Now
	}
	if cl.newID == nil {
		cl.newID = newUniqueID
	}
	cl.direct, _ = p.(DirectUploader)
	cl.verifier, _ = p.(DirectVerifier)
	cl.keyer, _ = p.(DirectKeyer)
	cl.ranger, _ = p.(RangeReader)
	cl.statRead, _ = p.(StatReader)
	if sh, ok := p.(StoredHasher); ok {
		cl.selfHash = sh.HashesStored()
	}
	cl.transform, _ = p.(Transformer)
	cl.committer, _ = p.(Committer)
	cl.lister, _ = p.(Lister)
	return cl, nil
}

// Provider returns the client's provider.
func (c *Client) Provider() Provider { return c.p }

// Store returns the client's metadata store.
func (c *Client) Store() MetadataStore { return c.s }

// Config returns the effective configuration, defaults applied.
func (c *Client) Config() Config { return c.cfg }

// Supports reports whether the provider implements capability cp.
func (c *Client) Supports(cp Capability) bool {
	switch cp {
	case CapDirectUpload:
		return c.direct != nil
	case CapTransform:
		return c.transform != nil
	case CapCommit:
		return c.committer != nil
	case CapRangeRead:
		return c.ranger != nil
	case CapList:
		return c.lister != nil
	case CapVerifyDirect:
		return c.verifier != nil
	}
	return false
}

// errorf builds the *Error of a Client operation.
func (c *Client) errorf(op, key string, kind error, cause error) error {
	return &Error{Op: op, Provider: c.p.Name(), Key: key, Kind: kind, Err: cause}
}

// wrap returns err as an *Error of op, keeping its kind when it has one and
// classifying it as kind otherwise.
func (c *Client) wrap(op, key string, kind error, err error) error {
	if err == nil {
		return nil
	}
	if k := KindOf(err); k != nil {
		var e *Error
		if errors.As(err, &e) {
			return err // already carries where and what
		}
		return c.errorf(op, key, k, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return c.errorf(op, key, nil, err)
	}
	return c.errorf(op, key, kind, err)
}

// cleanupContext returns a context for compensation that survives the
// cancellation of ctx.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), compensationTimeout)
}

func (c *Client) checkOwner(op, owner string) error {
	if !validOwner(owner) {
		return c.errorf(op, "", ErrInvalid, errors.New("owner must be 1 to 256 bytes of printable UTF-8"))
	}
	return nil
}
