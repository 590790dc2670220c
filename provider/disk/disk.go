package disk

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/urlsign"
)

// The Provider's own files live under reservedDir, which no key may name.
const (
	reservedDir = ".mediastore"
	tmpDir      = reservedDir + "/tmp"
	metaDir     = reservedDir + "/meta"
	// staleTemp is the age after which New removes a temp file that a
	// crashed process left behind.
	staleTemp = 24 * time.Hour
	copyBuf   = 256 << 10
	filePerm  = 0o640
	dirPerm   = 0o750
)

// Provider stores objects as files in a folder. It is safe for concurrent
// use, also by several Providers on the same folder in one process; it is an
// http.Handler serving its signed URLs and tickets.
type Provider struct {
	name   string
	base   string
	public bool
	sync   bool
	now    func() time.Time
	root   *os.Root
	signer *urlsign.Signer
	server *urlsign.Server
}

var (
	_ mediastore.Provider       = (*Provider)(nil)
	_ mediastore.RangeReader    = (*Provider)(nil)
	_ mediastore.Lister         = (*Provider)(nil)
	_ mediastore.DirectUploader = (*Provider)(nil)
	_ http.Handler              = (*Provider)(nil)
)

// New opens (creating it if needed) the folder cfg.Dir and returns a
// Provider for it.
func New(cfg Config) (*Provider, error) {
	if cfg.Dir == "" {
		return nil, fmt.Errorf("%w: disk Config.Dir is required", mediastore.ErrInvalid)
	}
	if len(cfg.Secret) > 0 && len(cfg.Secret) < 16 {
		return nil, fmt.Errorf("%w: disk Config.Secret must be at least 16 bytes", mediastore.ErrInvalid)
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base != "" {
		u, err := url.Parse(base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("%w: disk Config.BaseURL must be an absolute http(s) URL without query", mediastore.ErrInvalid)
		}
	}
	for _, d := range []string{cfg.Dir, cfg.Dir + "/" + tmpDir, cfg.Dir + "/" + metaDir} {
		if err := os.MkdirAll(d, dirPerm); err != nil {
			return nil, fmt.Errorf("%w: disk Config.Dir: %w", mediastore.ErrInvalid, err)
		}
	}
	root, err := os.OpenRoot(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("%w: disk Config.Dir: %w", mediastore.ErrInvalid, err)
	}
	p := &Provider{
		name:   cmp.Or(cfg.Name, "disk"),
		base:   base,
		public: cfg.Public,
		sync:   !cfg.NoSync,
		now:    cfg.Test.Now,
		root:   root,
		signer: urlsign.NewSigner(cfg.Secret),
	}
	if p.now == nil {
		p.now = time.Now
	}
	p.server = &urlsign.Server{
		Signer: p.signer,
		Public: p.public,
		Now:    p.now,
		Open:   p.open,
		Put: func(ctx context.Context, key string, r io.Reader, u *urlsign.Upload) error {
			_, err := p.put(ctx, "PUT", key, r, u.Size, u.ContentType, u.SHA256)
			return err
		},
	}
	p.removeStaleTemps()
	return p, nil
}

// Name returns the provider name.
func (p *Provider) Name() string { return p.name }

// meta is the sidecar of an object: what the file itself cannot say.
type meta struct {
	ContentType string `json:"content_type,omitempty"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
}

// checkKey maps key to its relative path in the folder, or fails with an
// ErrInvalid error. os.Root keeps every access inside the folder, even
// through symbolic links; checkKey rejects what it would refuse anyway and
// the reserved folder.
func (p *Provider) checkKey(op, key string) (string, error) {
	if err := urlsign.CheckKey(key); err != nil {
		return "", p.err(op, key, mediastore.ErrInvalid, err)
	}
	if key == reservedDir || strings.HasPrefix(key, reservedDir+"/") {
		return "", p.err(op, key, mediastore.ErrInvalid, errors.New("key names the provider's reserved folder"))
	}
	return key, nil
}

func metaPath(key string) string { return metaDir + "/" + key + ".json" }

// locks serialize the two renames of a Put with Stat and Delete of the same
// key, so that an object and its sidecar always match.
var locks [64]sync.Mutex

func lockKey(key string) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(key))
	return &locks[h.Sum32()%uint32(len(locks))]
}

// Put streams r to a temp file while hashing it, syncs it, and renames it
// to key's path, so that no partial object is ever visible. On any failure,
// including cancellation of ctx, the temp file is removed and nothing is
// stored.
func (p *Provider) Put(ctx context.Context, key string, r io.Reader, opts *mediastore.PutOptions) (*mediastore.Object, error) {
	if opts == nil {
		opts = &mediastore.PutOptions{Size: -1}
	}
	return p.put(ctx, "Put", key, r, opts.Size, opts.ContentType, "")
}

// HashesStored reports that Put returns the SHA-256 of the stored file in
// Object.SHA256 (see [mediastore.StoredHasher]).
func (p *Provider) HashesStored() bool { return true }

// put writes r to key. wantSHA, when set, is the SHA-256 the stored bytes
// must have.
func (p *Provider) put(ctx context.Context, op, key string, r io.Reader, size int64, contentType, wantSHA string) (obj *mediastore.Object, err error) {
	name, err := p.checkKey(op, key)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, p.err(op, key, mediastore.ErrInvalid, errors.New("nil reader"))
	}
	if err := ctx.Err(); err != nil {
		return nil, p.err(op, key, mediastore.ErrProvider, err)
	}
	tmp := tmpDir + "/put-" + randHex()
	f, err := p.root.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, filePerm) // read back by the hasher
	if err != nil {
		return nil, p.err(op, key, mediastore.ErrProvider, err)
	}
	tmpMeta := tmp + ".json"
	defer func() {
		if f != nil {
			f.Close()
		}
		if err != nil {
			p.root.Remove(tmp)
			p.root.Remove(tmpMeta)
		}
	}()

	cr := &ctxReader{ctx: ctx, r: r}
	var src io.Reader = cr
	if size >= 0 {
		src = io.LimitReader(cr, size+1)
	}
	th := newTrailHasher(f)
	defer th.abort() // stops the hasher on every way out, before f is closed
	n, err := io.CopyBuffer(th, src, make([]byte, copyBuf))
	switch {
	case ctx.Err() != nil:
		err = p.err(op, key, mediastore.ErrProvider, ctx.Err())
	case err != nil && err == cr.err:
		err = p.err(op, key, readKind(err), err)
	case err != nil:
		err = p.err(op, key, mediastore.ErrProvider, err)
	case size >= 0 && n != size:
		err = p.err(op, key, mediastore.ErrInvalid, fmt.Errorf("read %d bytes, want %d", min(n, size+1), size))
	}
	if err != nil {
		return nil, err
	}
	// The hasher reads the tail while the file is synced.
	th.end()
	if p.sync {
		err = f.Sync()
	}
	sum, herr := th.sum()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	f = nil
	if err == nil {
		err = herr
	}
	if err != nil {
		return nil, p.err(op, key, mediastore.ErrProvider, err)
	}
	m := meta{ContentType: contentType, Size: n, SHA256: sum}
	if wantSHA != "" && m.SHA256 != wantSHA {
		return nil, p.err(op, key, mediastore.ErrInvalid, errors.New("SHA-256 differs from the declared one"))
	}
	mj, _ := json.Marshal(m)
	if err = p.root.WriteFile(tmpMeta, mj, filePerm); err != nil {
		return nil, p.err(op, key, mediastore.ErrProvider, err)
	}
	if err = ctx.Err(); err != nil {
		return nil, p.err(op, key, mediastore.ErrProvider, err)
	}

	mu := lockKey(key)
	mu.Lock()
	defer mu.Unlock()
	if err = p.root.MkdirAll(path.Dir(name), dirPerm); err == nil {
		err = p.root.MkdirAll(path.Dir(metaPath(name)), dirPerm)
	}
	if err == nil {
		err = p.root.Rename(tmpMeta, metaPath(name))
	}
	if err == nil {
		err = p.root.Rename(tmp, name)
	}
	if err != nil {
		return nil, p.err(op, key, mediastore.ErrProvider, err)
	}
	fi, err := p.root.Stat(name)
	if err != nil {
		return nil, p.err(op, key, mediastore.ErrProvider, err)
	}
	return p.report(key, fi, &m), nil
}

// readKind is the kind of a failure to read the caller's stream: its own
// kind when it has one (the Client's size limit), else ErrInvalid.
func readKind(err error) error {
	if mediastore.KindOf(err) != nil {
		return nil
	}
	return mediastore.ErrInvalid
}

func randHex() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Stat reports the file at key's path, or an ErrNotFound error.
func (p *Provider) Stat(ctx context.Context, key string) (*mediastore.Object, error) {
	name, err := p.checkKey("Stat", key)
	if err != nil {
		return nil, err
	}
	mu := lockKey(key)
	mu.Lock()
	defer mu.Unlock()
	fi, err := p.root.Stat(name)
	if err != nil || !fi.Mode().IsRegular() {
		return nil, p.fileErr("Stat", key, err)
	}
	return p.report(key, fi, p.readMeta(name, fi)), nil
}

// readMeta returns the sidecar of name when it matches fi, or nil.
func (p *Provider) readMeta(name string, fi fs.FileInfo) *meta {
	b, err := p.root.ReadFile(metaPath(name))
	var m meta
	if err != nil || json.Unmarshal(b, &m) != nil || m.Size != fi.Size() {
		return nil
	}
	return &m
}

func (p *Provider) report(key string, fi fs.FileInfo, m *meta) *mediastore.Object {
	obj := &mediastore.Object{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}
	if m != nil {
		obj.ContentType, obj.SHA256, obj.ETag = m.ContentType, m.SHA256, m.SHA256
	}
	if p.public && p.base != "" {
		obj.URL = urlsign.PublicURL(p.base, key, "")
	}
	return obj
}

// Delete removes the file at key's path and its sidecar; a missing key is
// not an error. Emptied folders are left in place.
func (p *Provider) Delete(ctx context.Context, key string) error {
	name, err := p.checkKey("Delete", key)
	if err != nil {
		return err
	}
	mu := lockKey(key)
	mu.Lock()
	defer mu.Unlock()
	if fi, err := p.root.Lstat(name); err == nil && fi.IsDir() {
		return nil // a folder of other keys, not an object
	}
	for _, n := range []string{name, metaPath(name)} {
		if err := p.root.Remove(n); err != nil && !notExist(err) {
			return p.err("Delete", key, mediastore.ErrProvider, err)
		}
	}
	return nil
}

// URL returns the URL of key under Config.BaseURL: signed for GET and
// expiring after opts.Expiry (15 minutes when zero), or unsigned when the
// Provider is public and opts.Signed is false. opts.DownloadName is honored
// (the handler sends Content-Disposition: attachment). It does not check
// that key exists.
func (p *Provider) URL(ctx context.Context, key string, opts *mediastore.URLOptions) (string, error) {
	if _, err := p.checkKey("URL", key); err != nil {
		return "", err
	}
	if p.base == "" {
		return "", p.err("URL", key, mediastore.ErrUnsupported, errors.New("disk Config.BaseURL is not set"))
	}
	return p.signer.ObjectURL(p.base, key, p.public, opts, p.now()), nil
}

// PrepareDirect returns a presigned PUT ticket for key, bound to
// opts.ContentType, opts.Size (unless -1), opts.MaxSize and opts.SHA256; the
// handler refuses any other upload and stores an accepted one as Put does.
func (p *Provider) PrepareDirect(ctx context.Context, key string, opts *mediastore.DirectOptions) (*mediastore.Ticket, error) {
	if _, err := p.checkKey("PrepareDirect", key); err != nil {
		return nil, err
	}
	if p.base == "" {
		return nil, p.err("PrepareDirect", key, mediastore.ErrUnsupported, errors.New("disk Config.BaseURL is not set"))
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
// is -1), cut short at the end of the file.
func (p *Provider) ReadRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	name, err := p.checkKey("ReadRange", key)
	if err != nil {
		return nil, err
	}
	if offset < 0 || length < -1 {
		return nil, p.err("ReadRange", key, mediastore.ErrInvalid, errors.New("negative offset or length"))
	}
	f, fi, err := p.openFile(name)
	if err != nil {
		return nil, p.fileErr("ReadRange", key, err)
	}
	if _, err := f.Seek(min(offset, fi.Size()), io.SeekStart); err != nil {
		f.Close()
		return nil, p.err("ReadRange", key, mediastore.ErrProvider, err)
	}
	var r io.Reader = f
	if length >= 0 {
		r = io.LimitReader(f, length)
	}
	return struct {
		io.Reader
		io.Closer
	}{r, f}, nil
}

// openFile opens the regular file name; a folder counts as missing.
func (p *Provider) openFile(name string) (*os.File, fs.FileInfo, error) {
	f, err := p.root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fs.ErrNotExist
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// open serves the handler.
func (p *Provider) open(ctx context.Context, key string) (*urlsign.Content, error) {
	name, err := p.checkKey("Open", key)
	if err != nil {
		return nil, err
	}
	mu := lockKey(key)
	mu.Lock()
	defer mu.Unlock()
	f, fi, err := p.openFile(name)
	if err != nil {
		return nil, p.fileErr("Open", key, err)
	}
	c := &urlsign.Content{Body: f, ModTime: fi.ModTime()}
	if m := p.readMeta(name, fi); m != nil {
		c.ContentType, c.SHA256 = m.ContentType, m.SHA256
	}
	return c, nil
}

// ServeHTTP serves signed GET and HEAD requests for objects (ranges
// included) and signed PUT uploads made with a ticket. The request path
// below the mount point is the key, so mount it at Config.BaseURL's path
// with http.StripPrefix:
//
//	mux.Handle("/media/", http.StripPrefix("/media", p))
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.server.ServeHTTP(w, r)
}

// removeStaleTemps removes temp files older than staleTemp, which only a
// crash leaves behind.
func (p *Provider) removeStaleTemps() {
	entries, err := fs.ReadDir(p.root.FS(), tmpDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > staleTemp {
			p.root.Remove(tmpDir + "/" + e.Name())
		}
	}
}

func (p *Provider) err(op, key string, kind, cause error) error {
	return mediastore.NewError(op, p.name, key, kind, cause)
}

// fileErr translates a failure to find or open a file: missing (or a folder,
// reported with a nil error) is ErrNotFound, anything else ErrProvider.
func (p *Provider) fileErr(op, key string, err error) error {
	if err == nil || notExist(err) {
		return p.err(op, key, mediastore.ErrNotFound, nil)
	}
	return p.err(op, key, mediastore.ErrProvider, err)
}

// notExist reports a missing file, also when a parent is a file (ENOTDIR).
func notExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// ctxReader stops reading once ctx is done and remembers its reader's error.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
	err error
}

func (c *ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(b)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}
