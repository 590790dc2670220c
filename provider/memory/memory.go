package memory

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/urlsign"
)

// Config configures a memory Provider. A nil *Config means defaults.
type Config struct {
	// Name is the provider name stored in File.Provider. Defaults to "memory".
	Name string
	// BaseURL is where the Provider's handler is mounted, without a
	// trailing slash (e.g. an httptest server's URL). Defaults to
	// "http://memory.invalid", a host that never resolves: URLs and
	// tickets are well formed but only work once you serve the Provider
	// and set BaseURL to where.
	BaseURL string
	// Secret is the HMAC key that signs URLs and tickets. Defaults to a
	// random secret made once per process.
	Secret []byte
	// Public makes URL return unsigned URLs unless URLOptions.Signed is set,
	// and makes the handler serve GET without a signature. Defaults to false.
	Public bool
	// Test holds knobs for tests.
	Test TestConfig
}

// TestConfig holds knobs for tests.
type TestConfig struct {
	// Now is the clock of signatures and modification times. Defaults to
	// time.Now.
	Now func() time.Time
}

// String describes the Config without its secret.
func (c Config) String() string {
	return fmt.Sprintf("memory.Config{Name:%q BaseURL:%q Secret:%s Public:%t}", c.Name, c.BaseURL, redact(c.Secret), c.Public)
}

// LogValue logs the Config without its secret.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", c.Name), slog.String("base_url", c.BaseURL),
		slog.String("secret", redact(c.Secret)), slog.Bool("public", c.Public))
}

func redact(s []byte) string {
	if len(s) == 0 {
		return "unset"
	}
	return "REDACTED"
}

// Provider keeps objects in a map. It is safe for concurrent use and is an
// http.Handler serving its signed URLs and tickets.
type Provider struct {
	name    string
	base    string
	public  bool
	now     func() time.Time
	signer  *urlsign.Signer
	handler *urlsign.Server

	mu      sync.RWMutex
	objects map[string]*object
}

type object struct {
	data        []byte
	contentType string
	sha256      string
	modTime     time.Time
}

var (
	_ mediastore.Provider       = (*Provider)(nil)
	_ mediastore.RangeReader    = (*Provider)(nil)
	_ mediastore.Lister         = (*Provider)(nil)
	_ mediastore.DirectUploader = (*Provider)(nil)
	_ http.Handler              = (*Provider)(nil)
)

// New returns an empty Provider.
func New(cfg *Config) *Provider {
	if cfg == nil {
		cfg = &Config{}
	}
	p := &Provider{
		name:    cmp.Or(cfg.Name, "memory"),
		base:    strings.TrimRight(cmp.Or(cfg.BaseURL, "http://memory.invalid"), "/"),
		public:  cfg.Public,
		now:     cfg.Test.Now,
		signer:  urlsign.NewSigner(cfg.Secret),
		objects: map[string]*object{},
	}
	if p.now == nil {
		p.now = time.Now
	}
	p.handler = &urlsign.Server{
		Signer: p.signer,
		Public: p.public,
		Now:    p.now,
		Open:   p.open,
		Put: func(ctx context.Context, key string, r io.Reader, u *urlsign.Upload) error {
			_, err := p.put(ctx, "PUT", key, r, u.Size, u.ContentType, u.SHA256)
			return err
		},
	}
	return p
}

// Name returns the provider name.
func (p *Provider) Name() string { return p.name }

// Put reads r into memory and stores it under key once r is fully read.
func (p *Provider) Put(ctx context.Context, key string, r io.Reader, opts *mediastore.PutOptions) (*mediastore.Object, error) {
	if opts == nil {
		opts = &mediastore.PutOptions{Size: -1}
	}
	return p.put(ctx, "Put", key, r, opts.Size, opts.ContentType, "")
}

func (p *Provider) put(ctx context.Context, op, key string, r io.Reader, size int64, contentType, wantSHA string) (*mediastore.Object, error) {
	if err := urlsign.CheckKey(key); err != nil {
		return nil, p.err(op, key, mediastore.ErrInvalid, err)
	}
	if r == nil {
		return nil, p.err(op, key, mediastore.ErrInvalid, errors.New("nil reader"))
	}
	if err := ctx.Err(); err != nil {
		return nil, p.err(op, key, mediastore.ErrProvider, err)
	}
	cr := &ctxReader{ctx: ctx, r: r}
	var src io.Reader = cr
	var buf bytes.Buffer
	if size >= 0 {
		buf.Grow(int(min(size, 64<<20)))
		src = io.LimitReader(cr, size+1)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(&buf, h), src)
	switch {
	case ctx.Err() != nil:
		return nil, p.err(op, key, mediastore.ErrProvider, ctx.Err())
	case err != nil:
		return nil, p.err(op, key, readKind(err), err)
	case size >= 0 && n != size:
		return nil, p.err(op, key, mediastore.ErrInvalid, fmt.Errorf("read %d bytes, want %d", min(n, size+1), size))
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if wantSHA != "" && sum != wantSHA {
		return nil, p.err(op, key, mediastore.ErrInvalid, errors.New("SHA-256 differs from the declared one"))
	}
	o := &object{data: buf.Bytes(), contentType: contentType, sha256: sum, modTime: p.now()}
	p.mu.Lock()
	p.objects[key] = o
	p.mu.Unlock()
	return p.report(key, o), nil
}

// readKind is the kind of a failure to read the caller's stream: its own
// kind when it has one (the Client's size limit), else ErrInvalid.
func readKind(err error) error {
	if mediastore.KindOf(err) != nil {
		return nil
	}
	return mediastore.ErrInvalid
}

// Stat reports the object under key, or an ErrNotFound error.
func (p *Provider) Stat(ctx context.Context, key string) (*mediastore.Object, error) {
	o, err := p.lookup("Stat", key)
	if err != nil {
		return nil, err
	}
	return p.report(key, o), nil
}

// Delete removes key; a missing key is not an error.
func (p *Provider) Delete(ctx context.Context, key string) error {
	if err := urlsign.CheckKey(key); err != nil {
		return p.err("Delete", key, mediastore.ErrInvalid, err)
	}
	p.mu.Lock()
	delete(p.objects, key)
	p.mu.Unlock()
	return nil
}

// URL returns the URL of key under Config.BaseURL: signed for GET and
// expiring after opts.Expiry (15 minutes when zero), or unsigned when the
// Provider is public and opts.Signed is false. It does not check that key
// exists.
func (p *Provider) URL(ctx context.Context, key string, opts *mediastore.URLOptions) (string, error) {
	if err := urlsign.CheckKey(key); err != nil {
		return "", p.err("URL", key, mediastore.ErrInvalid, err)
	}
	return p.signer.ObjectURL(p.base, key, p.public, opts, p.now()), nil
}

// PrepareDirect returns a presigned PUT ticket for key, bound to
// opts.ContentType, opts.Size (unless -1), opts.MaxSize and opts.SHA256; the
// handler refuses any other upload.
func (p *Provider) PrepareDirect(ctx context.Context, key string, opts *mediastore.DirectOptions) (*mediastore.Ticket, error) {
	if err := urlsign.CheckKey(key); err != nil {
		return nil, p.err("PrepareDirect", key, mediastore.ErrInvalid, err)
	}
	t, err := p.signer.Ticket(p.base, key, opts, p.now())
	if err != nil {
		return nil, p.err("PrepareDirect", key, mediastore.ErrInvalid, err)
	}
	if p.public {
		t.PublicURL = p.signer.ObjectURL(p.base, key, true, &mediastore.URLOptions{}, p.now())
	}
	return t, nil
}

// ReadRange returns length bytes of key from offset (to the end when length
// is -1), cut short at the end of the object.
func (p *Provider) ReadRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if offset < 0 || length < -1 {
		return nil, p.err("ReadRange", key, mediastore.ErrInvalid, errors.New("negative offset or length"))
	}
	o, err := p.lookup("ReadRange", key)
	if err != nil {
		return nil, err
	}
	d := o.data[min(offset, int64(len(o.data))):]
	if length >= 0 && length < int64(len(d)) {
		d = d[:length]
	}
	return io.NopCloser(bytes.NewReader(d)), nil
}

// ListObjects yields the objects whose key starts with prefix, in key order,
// as they were when the listing started.
func (p *Provider) ListObjects(ctx context.Context, prefix string) iter.Seq2[*mediastore.Object, error] {
	return func(yield func(*mediastore.Object, error) bool) {
		p.mu.RLock()
		var objs []*mediastore.Object
		for k, o := range p.objects {
			if strings.HasPrefix(k, prefix) {
				objs = append(objs, p.report(k, o))
			}
		}
		p.mu.RUnlock()
		slices.SortFunc(objs, func(a, b *mediastore.Object) int { return strings.Compare(a.Key, b.Key) })
		for _, o := range objs {
			if err := ctx.Err(); err != nil {
				yield(nil, p.err("ListObjects", prefix, mediastore.ErrProvider, err))
				return
			}
			if !yield(o, nil) {
				return
			}
		}
	}
}

// ServeHTTP serves signed GET and HEAD requests for objects (ranges
// included) and signed PUT uploads made with a ticket. The request path
// below the mount point is the key: mount it at Config.BaseURL's path with
// http.StripPrefix.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.handler.ServeHTTP(w, r)
}

func (p *Provider) open(ctx context.Context, key string) (*urlsign.Content, error) {
	o, err := p.lookup("Open", key)
	if err != nil {
		return nil, err
	}
	return &urlsign.Content{
		Body:        nopSeekCloser{bytes.NewReader(o.data)},
		ContentType: o.contentType,
		SHA256:      o.sha256,
		ModTime:     o.modTime,
	}, nil
}

func (p *Provider) lookup(op, key string) (*object, error) {
	p.mu.RLock()
	o := p.objects[key]
	p.mu.RUnlock()
	if o == nil {
		return nil, p.err(op, key, mediastore.ErrNotFound, nil)
	}
	return o, nil
}

func (p *Provider) report(key string, o *object) *mediastore.Object {
	obj := &mediastore.Object{
		Key:         key,
		Size:        int64(len(o.data)),
		ContentType: o.contentType,
		SHA256:      o.sha256,
		ETag:        o.sha256,
		ModTime:     o.modTime,
	}
	if p.public {
		obj.URL = urlsign.PublicURL(p.base, key, "")
	}
	return obj
}

func (p *Provider) err(op, key string, kind, cause error) error {
	return mediastore.NewError(op, p.name, key, kind, cause)
}

type nopSeekCloser struct{ *bytes.Reader }

func (nopSeekCloser) Close() error { return nil }

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(b)
}
