package mediastore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/provider/memory"
	"github.com/mediastore/mediastore/store/memstore"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().UTC().Truncate(time.Microsecond)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testBundle is what a flow test works with.
type testBundle struct {
	client *mediastore.Client
	mem    *memory.Provider
	prov   *hookProvider
	store  *hookStore
	clock  *clock
	http   *http.Client
}

// storeFactory makes a fresh, isolated MetadataStore for one test.
type storeFactory func(t *testing.T) mediastore.MetadataStore

// newBundle builds a Client over the memory provider (served by an httptest
// server, so URLs and tickets work) and a store from newStore, both wrapped
// in hooks that let a test inject failures.
func newBundle(t *testing.T, newStore storeFactory, cfg *mediastore.Config) *testBundle {
	t.Helper()
	clk := newClock()
	var mem *memory.Provider
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { mem.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	mem = memory.New(&memory.Config{BaseURL: srv.URL, Test: memory.TestConfig{Now: clk.Now}})
	hp := &hookProvider{Provider: mem}
	hs := &hookStore{MetadataStore: newStore(t)}
	var c mediastore.Config
	if cfg != nil {
		c = *cfg
	}
	c.Test.Now = clk.Now
	client, err := mediastore.New(hp, hs, &c)
	if err != nil {
		t.Fatal(err)
	}
	return &testBundle{client: client, mem: mem, prov: hp, store: hs, clock: clk, http: srv.Client()}
}

// hookProvider wraps a provider so tests can fail or observe its calls.
type hookProvider struct {
	mediastore.Provider
	putHook    func(ctx context.Context, key string) error
	deleteHook func(key string) error
	inPut      atomic.Int32
	maxInPut   atomic.Int32
	deletes    atomic.Int64
}

func (h *hookProvider) Put(ctx context.Context, key string, r io.Reader, opts *mediastore.PutOptions) (*mediastore.Object, error) {
	n := h.inPut.Add(1)
	defer h.inPut.Add(-1)
	for {
		m := h.maxInPut.Load()
		if n <= m || h.maxInPut.CompareAndSwap(m, n) {
			break
		}
	}
	if h.putHook != nil {
		if err := h.putHook(ctx, key); err != nil {
			return nil, err
		}
	}
	return h.Provider.Put(ctx, key, r, opts)
}

func (h *hookProvider) Delete(ctx context.Context, key string) error {
	if h.deleteHook != nil {
		if err := h.deleteHook(key); err != nil {
			return err
		}
	}
	h.deletes.Add(1)
	return h.Provider.Delete(ctx, key)
}

// The memory provider's capabilities, passed through.
func (h *hookProvider) PrepareDirect(ctx context.Context, key string, o *mediastore.DirectOptions) (*mediastore.Ticket, error) {
	return h.Provider.(mediastore.DirectUploader).PrepareDirect(ctx, key, o)
}

func (h *hookProvider) ReadRange(ctx context.Context, key string, off, n int64) (io.ReadCloser, error) {
	return h.Provider.(mediastore.RangeReader).ReadRange(ctx, key, off, n)
}

func (h *hookProvider) objects(t *testing.T) []string {
	t.Helper()
	var keys []string
	for o, err := range h.Provider.(mediastore.Lister).ListObjects(context.Background(), "") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, o.Key)
	}
	return keys
}

// hookStore wraps a store so tests can fail its calls.
type hookStore struct {
	mediastore.MetadataStore
	insertHook    func() error
	afterInsert   func(err error) error // replaces the result of a done Insert
	setStatusHook func(p *mediastore.SetStatusParams) error
}

func (h *hookStore) Insert(ctx context.Context, p *mediastore.InsertParams) (*mediastore.File, error) {
	if h.insertHook != nil {
		if err := h.insertHook(); err != nil {
			return nil, err
		}
	}
	f, err := h.MetadataStore.Insert(ctx, p)
	if h.afterInsert != nil {
		if err := h.afterInsert(err); err != nil {
			return nil, err
		}
	}
	return f, err
}

func (h *hookStore) SetStatus(ctx context.Context, p *mediastore.SetStatusParams) (*mediastore.File, error) {
	if h.setStatusHook != nil {
		if err := h.setStatusHook(p); err != nil {
			return nil, err
		}
	}
	return h.MetadataStore.SetStatus(ctx, p)
}

// rows returns every row of owner in any status.
func (b *testBundle) rows(t *testing.T, owner string) []*mediastore.File {
	t.Helper()
	var out []*mediastore.File
	for _, st := range []mediastore.Status{mediastore.StatusPending, mediastore.StatusReady, mediastore.StatusDeleting} {
		res, err := b.store.List(context.Background(), &mediastore.ListParams{Owner: owner, Status: st, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, res.Files...)
	}
	return out
}

// requireEmpty fails unless owner has no row and the provider no object.
func (b *testBundle) requireEmpty(t *testing.T, owner string) {
	t.Helper()
	if rows := b.rows(t, owner); len(rows) != 0 {
		t.Fatalf("%d rows left, first %+v", len(rows), rows[0])
	}
	if objs := b.prov.objects(t); len(objs) != 0 {
		t.Fatalf("objects left: %v", objs)
	}
}

// pngBytes returns a small valid PNG header followed by n-8 random bytes:
// enough for sniffing to say image/png.
func pngBytes(n int, seed uint64) []byte {
	b := randomBytes(n, seed)
	copy(b, "\x89PNG\r\n\x1a\n")
	return b
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func (b *testBundle) download(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := b.http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	return body
}

// runFlows runs every flow test against stores from newStore.
func runFlows(t *testing.T, newStore storeFactory) {
	t.Run("Upload", func(t *testing.T) { t.Parallel(); testUpload(t, newStore) })
	t.Run("UploadBadInput", func(t *testing.T) { t.Parallel(); testUploadBadInput(t, newStore) })
	t.Run("UploadCompensation", func(t *testing.T) { t.Parallel(); testUploadCompensation(t, newStore) })
	t.Run("UploadMany", func(t *testing.T) { t.Parallel(); testUploadMany(t, newStore) })
	t.Run("ListAndAll", func(t *testing.T) { t.Parallel(); testListAndAll(t, newStore) })
	t.Run("OwnerIsolation", func(t *testing.T) { t.Parallel(); testOwnerIsolation(t, newStore) })
	t.Run("Delete", func(t *testing.T) { t.Parallel(); testDelete(t, newStore) })
	t.Run("Sweeper", func(t *testing.T) { t.Parallel(); testSweeper(t, newStore) })
	t.Run("Direct", func(t *testing.T) { t.Parallel(); testDirect(t, newStore) })
	t.Run("Committer", func(t *testing.T) { t.Parallel(); testCommitter(t, newStore) })
	t.Run("StoredHasher", func(t *testing.T) { t.Parallel(); testStoredHasher(t, newStore) })
	t.Run("StatReader", func(t *testing.T) { t.Parallel(); testStatReader(t, newStore) })
}

func testUpload(t *testing.T, newStore storeFactory) {
	ctx := context.Background()
	b := newBundle(t, newStore, &mediastore.Config{AllowedTypes: []string{"image/*"}})
	data := pngBytes(300_000, 1)
	for _, size := range []int64{0, int64(len(data))} {
		f, err := b.client.Upload(ctx, "alice", bytes.NewReader(data), &mediastore.UploadOptions{Filename: "../My Cat.PNG", Size: size})
		if err != nil {
			t.Fatal(err)
		}
		if f.Status != mediastore.StatusReady || f.Owner != "alice" || f.Provider != "memory" {
			t.Fatalf("file %+v", f)
		}
		if f.Size != int64(len(data)) || f.SHA256 != sha(data) || f.ContentType != "image/png" || f.ResourceType != "image" {
			t.Fatalf("recorded size %d sha %s type %s/%s", f.Size, f.SHA256, f.ContentType, f.ResourceType)
		}
		if !strings.HasPrefix(f.Key, "alice/") || !strings.HasSuffix(f.Key, "-My-Cat.png") || f.Filename != "My-Cat.png" {
			t.Fatalf("key %q filename %q", f.Key, f.Filename)
		}
		if !f.ExpiresAt.IsZero() {
			t.Fatalf("ready row keeps an expiry: %v", f.ExpiresAt)
		}
		got, err := b.client.Get(ctx, "alice", f.ID)
		if err != nil || got.Key != f.Key {
			t.Fatalf("Get: %v %+v", err, got)
		}
		u, err := b.client.URL(ctx, "alice", f.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if body := b.download(t, u); !bytes.Equal(body, data) {
			t.Fatalf("downloaded %d bytes, want the %d uploaded", len(body), len(data))
		}
	}
	if objs := b.prov.objects(t); len(objs) != 2 {
		t.Fatalf("objects %v", objs)
	}
}

func testUploadBadInput(t *testing.T, newStore storeFactory) {
	ctx := context.Background()
	b := newBundle(t, newStore, &mediastore.Config{MaxSize: 10_000, AllowedTypes: []string{"image/*"}})
	png := pngBytes(5000, 2)
	cases := []struct {
		name  string
		owner string
		r     io.Reader
		opts  *mediastore.UploadOptions
		want  error
	}{
		{"nil reader", "bob", nil, nil, mediastore.ErrInvalid},
		{"empty owner", "", bytes.NewReader(png), nil, mediastore.ErrInvalid},
		{"control owner", "bo\nb", bytes.NewReader(png), nil, mediastore.ErrInvalid},
		{"negative size", "bob", bytes.NewReader(png), &mediastore.UploadOptions{Size: -1}, mediastore.ErrInvalid},
		{"declared over limit", "bob", bytes.NewReader(png), &mediastore.UploadOptions{Size: 10_001}, mediastore.ErrTooLarge},
		{"streamed over limit", "bob", bytes.NewReader(pngBytes(10_001, 3)), nil, mediastore.ErrTooLarge},
		{"type not allowed", "bob", strings.NewReader("%PDF-1.4 hello"), nil, mediastore.ErrTypeNotAllowed},
		{"claimed png but text", "bob", strings.NewReader("just text"), &mediastore.UploadOptions{Filename: "x.png"}, mediastore.ErrTypeNotAllowed},
		{"size shorter than declared", "bob", bytes.NewReader(png), &mediastore.UploadOptions{Size: 6000}, mediastore.ErrInvalid},
		{"size longer than declared", "bob", bytes.NewReader(png), &mediastore.UploadOptions{Size: 4000}, mediastore.ErrInvalid},
		{"short stream shorter than declared", "bob", bytes.NewReader(png[:100]), &mediastore.UploadOptions{Size: 200}, mediastore.ErrInvalid},
		{"empty", "bob", bytes.NewReader(nil), nil, mediastore.ErrInvalid},
	}
	for _, c := range cases {
		f, err := b.client.Upload(ctx, c.owner, c.r, c.opts)
		if !errors.Is(err, c.want) || f != nil {
			t.Errorf("%s: err %v, want %v", c.name, err, c.want)
		}
		var e *mediastore.Error
		if err != nil && (!errors.As(err, &e) || !strings.HasPrefix(err.Error(), "mediastore: ")) {
			t.Errorf("%s: error %q is not a *mediastore.Error", c.name, err)
		}
	}
	b.requireEmpty(t, "bob")
}

// failingReader returns data then err.
type failingReader struct {
	data []byte
	err  error
	hook func()
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		if f.hook != nil {
			f.hook()
		}
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func testUploadCompensation(t *testing.T, newStore storeFactory) {
	ctx := context.Background()
	boom := errors.New("boom")

	t.Run("reader fails mid-stream", func(t *testing.T) {
		b := newBundle(t, newStore, nil)
		_, err := b.client.Upload(ctx, "carol", &failingReader{data: pngBytes(100_000, 4), err: boom}, nil)
		if !errors.Is(err, boom) {
			t.Fatalf("err %v", err)
		}
		b.requireEmpty(t, "carol")
	})
	t.Run("context cancelled mid-stream", func(t *testing.T) {
		b := newBundle(t, newStore, nil)
		cctx, cancel := context.WithCancel(ctx)
		// The reader cancels the upload's context, then keeps failing as a
		// hung-up client's body does.
		r := &failingReader{data: pngBytes(100_000, 5), err: context.Canceled, hook: cancel}
		_, err := b.client.Upload(cctx, "carol", r, nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v", err)
		}
		b.requireEmpty(t, "carol")
	})
	t.Run("provider fails", func(t *testing.T) {
		b := newBundle(t, newStore, nil)
		b.prov.putHook = func(context.Context, string) error {
			return mediastore.NewError("Put", "memory", "", mediastore.ErrProvider, boom)
		}
		_, err := b.client.Upload(ctx, "carol", bytes.NewReader(pngBytes(1000, 6)), nil)
		if !errors.Is(err, mediastore.ErrProvider) {
			t.Fatalf("err %v", err)
		}
		b.requireEmpty(t, "carol")
	})
	t.Run("intent insert fails", func(t *testing.T) {
		b := newBundle(t, newStore, nil)
		b.store.insertHook = func() error { return mediastore.NewError("Insert", "", "", mediastore.ErrStore, boom) }
		_, err := b.client.Upload(ctx, "carol", bytes.NewReader(pngBytes(200_000, 7)), nil)
		if !errors.Is(err, mediastore.ErrStore) {
			t.Fatalf("err %v", err)
		}
		b.requireEmpty(t, "carol")
	})
	t.Run("intent insert commits but its reply is lost", func(t *testing.T) {
		// The INSERT is carried out, the Client sees a failure (a
		// connection reset, or its context cancelled while the statement
		// ran): the clean-up must find and remove the intent too.
		b := newBundle(t, newStore, nil)
		b.store.afterInsert = func(err error) error {
			return mediastore.NewError("Insert", "", "", mediastore.ErrStore, errors.Join(err, context.Canceled))
		}
		_, err := b.client.Upload(ctx, "carol", bytes.NewReader(pngBytes(200_000, 12)), nil)
		if !errors.Is(err, mediastore.ErrStore) {
			t.Fatalf("err %v", err)
		}
		b.requireEmpty(t, "carol")
	})
	t.Run("marking ready fails", func(t *testing.T) {
		b := newBundle(t, newStore, nil)
		b.store.setStatusHook = func(p *mediastore.SetStatusParams) error {
			if p.To == mediastore.StatusReady {
				return mediastore.NewError("SetStatus", "", "", mediastore.ErrStore, boom)
			}
			return nil
		}
		_, err := b.client.Upload(ctx, "carol", bytes.NewReader(pngBytes(1000, 8)), nil)
		if !errors.Is(err, mediastore.ErrStore) {
			t.Fatalf("err %v", err)
		}
		b.requireEmpty(t, "carol")
	})
	t.Run("context cancelled while marking ready", func(t *testing.T) {
		b := newBundle(t, newStore, nil)
		cctx, cancel := context.WithCancel(ctx)
		b.store.setStatusHook = func(p *mediastore.SetStatusParams) error {
			if p.To == mediastore.StatusReady {
				cancel()
				return context.Canceled
			}
			return nil
		}
		_, err := b.client.Upload(cctx, "carol", bytes.NewReader(pngBytes(1000, 9)), nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v", err)
		}
		b.store.setStatusHook = nil
		b.requireEmpty(t, "carol")
	})
	t.Run("marking ready commits but its reply is lost", func(t *testing.T) {
		// The UPDATE is carried out and the connection dies before its
		// reply: the Client sees a failure, the row is ready. The
		// clean-up must not delete the object of a ready row.
		b := newBundle(t, newStore, nil)
		b.store.setStatusHook = func(p *mediastore.SetStatusParams) error {
			if p.To != mediastore.StatusReady {
				return nil
			}
			if _, err := b.store.MetadataStore.SetStatus(ctx, p); err != nil {
				return err
			}
			return mediastore.NewError("SetStatus", "", "", mediastore.ErrStore, errors.New("connection reset before the reply"))
		}
		if _, err := b.client.Upload(ctx, "carol", bytes.NewReader(pngBytes(1000, 11)), nil); !errors.Is(err, mediastore.ErrStore) {
			t.Fatalf("err %v", err)
		}
		rows, objs := b.rows(t, "carol"), b.prov.objects(t)
		if len(rows) != 1 || rows[0].Status != mediastore.StatusReady || len(objs) != 1 || objs[0] != rows[0].Key {
			t.Fatalf("the ready row lost its object: rows %+v, objects %v", rows, objs)
		}
	})
	t.Run("clean-up fails: the sweeper finishes", func(t *testing.T) {
		b := newBundle(t, newStore, nil)
		b.prov.deleteHook = func(string) error { return boom }
		b.store.setStatusHook = func(p *mediastore.SetStatusParams) error {
			if p.To == mediastore.StatusReady {
				return boom
			}
			return nil
		}
		if _, err := b.client.Upload(ctx, "carol", bytes.NewReader(pngBytes(1000, 10)), nil); err == nil {
			t.Fatal("upload succeeded")
		}
		rows := b.rows(t, "carol")
		if len(rows) != 1 || rows[0].Status != mediastore.StatusDeleting || len(b.prov.objects(t)) != 1 {
			t.Fatalf("want the tombstoned row and its object kept for the sweeper, got %d rows, %d objects", len(rows), len(b.prov.objects(t)))
		}
		b.prov.deleteHook, b.store.setStatusHook = nil, nil
		sw := b.client.NewSweeper(nil)
		if res, err := sw.RunOnce(ctx); err != nil || res.Claimed != 0 {
			t.Fatalf("sweep before the TTL: %+v %v", res, err)
		}
		b.clock.Add(mediastore.DefaultPendingTTL + time.Second)
		if res, err := sw.RunOnce(ctx); err != nil || res.Removed != 1 {
			t.Fatalf("sweep after the TTL: %+v %v", res, err)
		}
		b.requireEmpty(t, "carol")
	})
}

func testUploadMany(t *testing.T, newStore storeFactory) {
	ctx := context.Background()
	b := newBundle(t, newStore, &mediastore.Config{Concurrency: 3, AllowedTypes: []string{"image/png"}})
	var items []mediastore.UploadItem
	for i := range 12 {
		var r io.Reader = bytes.NewReader(pngBytes(20_000+i, uint64(100+i)))
		if i%5 == 2 {
			r = strings.NewReader("not an image")
		}
		items = append(items, mediastore.UploadItem{Reader: r, Options: mediastore.UploadOptions{Filename: fmt.Sprintf("f%d.png", i)}})
	}
	b.prov.putHook = func(context.Context, string) error {
		time.Sleep(time.Millisecond) // widen the window in which Puts overlap
		return nil
	}
	res := b.client.UploadMany(ctx, "dave", items)
	if len(res) != len(items) {
		t.Fatalf("%d results", len(res))
	}
	ok := 0
	for i, r := range res {
		if i%5 == 2 {
			if !errors.Is(r.Err, mediastore.ErrTypeNotAllowed) || r.File != nil {
				t.Errorf("item %d: %+v", i, r)
			}
			continue
		}
		if r.Err != nil || r.File.Filename != fmt.Sprintf("f%d.png", i) || r.File.Size != int64(20_000+i) {
			t.Errorf("item %d: %+v", i, r)
			continue
		}
		ok++
	}
	if ok != 10 || len(b.rows(t, "dave")) != 10 || len(b.prov.objects(t)) != 10 {
		t.Fatalf("ok %d rows %d objects %d", ok, len(b.rows(t, "dave")), len(b.prov.objects(t)))
	}
	if m := b.prov.maxInPut.Load(); m > 3 {
		t.Fatalf("%d Puts at once, limit 3", m)
	}
}

func testListAndAll(t *testing.T, newStore storeFactory) {
	ctx := context.Background()
	b := newBundle(t, newStore, nil)
	var want []string
	for i := range 25 {
		var data []byte
		if i%3 == 0 {
			data = []byte(fmt.Sprintf("text file %d", i))
		} else {
			data = pngBytes(1000, uint64(i))
		}
		b.clock.Add(time.Millisecond)
		f, err := b.client.Upload(ctx, "erin", bytes.NewReader(data), nil)
		if err != nil {
			t.Fatal(err)
		}
		want = append([]string{f.ID}, want...) // newest first
	}
	var got []string
	cursor := ""
	pages := 0
	for {
		page, err := b.client.List(ctx, "erin", &mediastore.ListOptions{Limit: 10, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, f := range page.Files {
			got = append(got, f.ID)
		}
		if page.Next == nil {
			break
		}
		cursor = page.Next.String()
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("pages %d, order differs:\n got %v\nwant %v", pages, got, want)
	}
	var all []string
	for f, err := range b.client.All(ctx, "erin", &mediastore.ListOptions{Limit: 7}) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, f.ID)
	}
	if strings.Join(all, ",") != strings.Join(want, ",") {
		t.Fatalf("All differs")
	}
	raw := 0
	for f, err := range b.client.All(ctx, "erin", &mediastore.ListOptions{ResourceType: "raw"}) {
		if err != nil || f.ResourceType != "raw" {
			t.Fatalf("%v %+v", err, f)
		}
		raw++
	}
	if raw != 9 {
		t.Fatalf("%d raw files, want 9", raw)
	}
	for _, bad := range []*mediastore.ListOptions{{Cursor: cursor + "x"}, {Cursor: "garbage"}, {Limit: -1}, {Limit: 1001}, {ResourceType: "pdf"}} {
		if _, err := b.client.List(ctx, "erin", bad); !errors.Is(err, mediastore.ErrInvalid) {
			t.Errorf("List(%+v): %v", bad, err)
		}
	}
}

func testOwnerIsolation(t *testing.T, newStore storeFactory) {
	ctx := context.Background()
	b := newBundle(t, newStore, nil)
	f, err := b.client.Upload(ctx, "frank", bytes.NewReader(pngBytes(1000, 11)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.client.Get(ctx, "grace", f.ID); !errors.Is(err, mediastore.ErrNotFound) {
		t.Fatalf("Get by another owner: %v", err)
	}
	if _, err := b.client.URL(ctx, "grace", f.ID, nil); !errors.Is(err, mediastore.ErrNotFound) {
		t.Fatalf("URL by another owner: %v", err)
	}
	if err := b.client.Delete(ctx, "grace", f.ID); !errors.Is(err, mediastore.ErrNotFound) {
		t.Fatalf("Delete by another owner: %v", err)
	}
	page, err := b.client.List(ctx, "grace", nil)
	if err != nil || len(page.Files) != 0 {
		t.Fatalf("List by another owner: %v %d", err, len(page.Files))
	}
	if _, err := b.client.Get(ctx, "frank", f.ID); err != nil {
		t.Fatalf("the owner lost the file: %v", err)
	}
	if _, err := b.client.Get(ctx, "frank", "not-an-id"); !errors.Is(err, mediastore.ErrNotFound) {
		t.Fatalf("Get of a malformed id: %v", err)
	}
}

func testDelete(t *testing.T, newStore storeFactory) {
	ctx := context.Background()
	b := newBundle(t, newStore, nil)
	f, err := b.client.Upload(ctx, "heidi", bytes.NewReader(pngBytes(1000, 12)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.client.Delete(ctx, "heidi", f.ID); err != nil {
		t.Fatal(err)
	}
	b.requireEmpty(t, "heidi")
	if err := b.client.Delete(ctx, "heidi", f.ID); !errors.Is(err, mediastore.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}

	// A provider failure leaves a tombstone that hides the file and that
	// the sweeper finishes.
	f, err = b.client.Upload(ctx, "heidi", bytes.NewReader(pngBytes(1000, 13)), nil)
	if err != nil {
		t.Fatal(err)
	}
	b.prov.deleteHook = func(string) error {
		return mediastore.NewError("Delete", "memory", "", mediastore.ErrProvider, errors.New("down"))
	}
	if err := b.client.Delete(ctx, "heidi", f.ID); !errors.Is(err, mediastore.ErrProvider) {
		t.Fatalf("delete with a failing provider: %v", err)
	}
	if _, err := b.client.Get(ctx, "heidi", f.ID); !errors.Is(err, mediastore.ErrNotFound) {
		t.Fatalf("a tombstoned file is still visible: %v", err)
	}
	rows := b.rows(t, "heidi")
	if len(rows) != 1 || rows[0].Status != mediastore.StatusDeleting {
		t.Fatalf("rows %+v", rows)
	}
	b.prov.deleteHook = nil
	sw := b.client.NewSweeper(nil)
	if res, _ := sw.RunOnce(ctx); res.Claimed != 0 {
		t.Fatalf("the sweeper took a fresh tombstone: %+v", res)
	}
	b.clock.Add(mediastore.DefaultDeleteRetry + time.Second)
	if res, err := sw.RunOnce(ctx); err != nil || res.Removed != 1 {
		t.Fatalf("sweep: %+v %v", res, err)
	}
	b.requireEmpty(t, "heidi")
}

func testSweeper(t *testing.T, newStore storeFactory) {
	ctx := context.Background()
	b := newBundle(t, newStore, &mediastore.Config{PendingTTL: time.Minute})
	// Crashed uploads: intents whose process died, some with an object.
	for i := range 30 {
		key := fmt.Sprintf("ivan/crash%02d-x.png", i)
		if _, err := b.store.Insert(ctx, &mediastore.InsertParams{Owner: "ivan", Provider: "memory", Key: key,
			Status: mediastore.StatusPending, ExpiresAt: b.clock.Now().Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if _, err := b.mem.Put(ctx, key, bytes.NewReader(pngBytes(100, uint64(i))), &mediastore.PutOptions{Size: 100}); err != nil {
				t.Fatal(err)
			}
		}
	}
	live, err := b.client.Upload(ctx, "ivan", bytes.NewReader(pngBytes(100, 99)), nil)
	if err != nil {
		t.Fatal(err)
	}
	sw := b.client.NewSweeper(&mediastore.SweeperConfig{BatchSize: 7})
	if res, _ := sw.RunOnce(ctx); res.Claimed != 0 {
		t.Fatalf("swept before the TTL: %+v", res)
	}
	b.clock.Add(time.Minute)
	res, err := sw.RunOnce(ctx)
	if err != nil || res.Claimed != 30 || res.Removed != 30 || res.Failed != 0 {
		t.Fatalf("sweep: %+v %v", res, err)
	}
	rows := b.rows(t, "ivan")
	if len(rows) != 1 || rows[0].ID != live.ID {
		t.Fatalf("rows left %+v", rows)
	}
	if objs := b.prov.objects(t); len(objs) != 1 || objs[0] != live.Key {
		t.Fatalf("objects left %v", objs)
	}

	// Start and Stop run passes in the background.
	b.clock.Add(time.Hour)
	if _, err := b.store.Insert(ctx, &mediastore.InsertParams{Owner: "ivan", Provider: "memory", Key: "ivan/late-x.png",
		Status: mediastore.StatusPending, ExpiresAt: b.clock.Now().Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	swept := make(chan struct{})
	var once sync.Once
	b.prov.deleteHook = func(key string) error {
		if key == "ivan/late-x.png" {
			once.Do(func() { close(swept) })
		}
		return nil
	}
	sw2 := b.client.NewSweeper(&mediastore.SweeperConfig{Interval: time.Millisecond})
	if err := sw2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := sw2.Start(ctx); err == nil {
		t.Fatal("a second Start succeeded")
	}
	select {
	case <-swept:
	case <-time.After(30 * time.Second):
		t.Fatal("the background sweeper never ran")
	}
	sw2.Stop() // waits for the pass in progress
	if n := len(b.rows(t, "ivan")); n != 1 {
		t.Fatalf("background sweeper left %d rows", n)
	}
}

func testDirect(t *testing.T, newStore storeFactory) {
	ctx := context.Background()
	b := newBundle(t, newStore, &mediastore.Config{MaxSize: 50_000, AllowedTypes: []string{"image/*"}})
	data := pngBytes(20_000, 20)

	send := func(tk *mediastore.Ticket, body []byte) int {
		t.Helper()
		req, err := http.NewRequest(tk.Method, tk.URL, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range tk.Headers {
			req.Header[k] = v
		}
		resp, err := b.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}

	tk, err := b.client.PrepareUpload(ctx, "judy", &mediastore.PrepareRequest{Filename: "../../etc/passwd.png", ContentType: "image/png", Size: int64(len(data)), SHA256: sha(data)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tk.Key, "judy/") || strings.Contains(tk.Key, "..") || tk.ExpiresAt.IsZero() {
		t.Fatalf("ticket %+v", tk)
	}
	// Before the upload: not there, nothing recorded, the intent stays.
	if _, err := b.client.ConfirmUpload(ctx, "judy", &mediastore.ConfirmRequest{Key: tk.Key}); !errors.Is(err, mediastore.ErrNotFound) {
		t.Fatalf("confirm before upload: %v", err)
	}
	if code := send(tk, data); code/100 != 2 {
		t.Fatalf("upload with the ticket: %d", code)
	}
	for _, c := range []struct {
		owner, key string
		want       error
	}{
		{"mallory", tk.Key, mediastore.ErrForbidden},
		{"judy", "judy/never-issued.png", mediastore.ErrForbidden},
		{"judy", "", mediastore.ErrInvalid},
		{"", tk.Key, mediastore.ErrInvalid},
	} {
		if _, err := b.client.ConfirmUpload(ctx, c.owner, &mediastore.ConfirmRequest{Key: c.key}); !errors.Is(err, c.want) {
			t.Errorf("confirm(%q, %q): %v, want %v", c.owner, c.key, err, c.want)
		}
	}
	f, err := b.client.ConfirmUpload(ctx, "judy", &mediastore.ConfirmRequest{Key: tk.Key})
	if err != nil {
		t.Fatal(err)
	}
	if f.Status != mediastore.StatusReady || f.Size != int64(len(data)) || f.ContentType != "image/png" || f.Key != tk.Key || len(f.Extra) != 0 {
		t.Fatalf("confirmed %+v", f)
	}
	again, err := b.client.ConfirmUpload(ctx, "judy", &mediastore.ConfirmRequest{Key: tk.Key})
	if err != nil || again.ID != f.ID {
		t.Fatalf("second confirm: %v %+v", err, again)
	}
	if _, err := b.client.ConfirmUpload(ctx, "judy", &mediastore.ConfirmRequest{Key: tk.Key, RejectRecorded: true}); !errors.Is(err, mediastore.ErrConflict) {
		t.Fatalf("replay with RejectRecorded: %v", err)
	}

	// No declared type: the ticket binds none, and the bytes are judged.
	t.Run("undeclared type", func(t *testing.T) {
		for _, c := range []struct {
			body []byte
			want error
		}{{pngBytes(700, 23), nil}, {[]byte("plain text, not an image"), mediastore.ErrTypeNotAllowed}} {
			tk, err := b.client.PrepareUpload(ctx, "kim", &mediastore.PrepareRequest{Filename: "x"})
			if err != nil {
				t.Fatal(err)
			}
			if tk.Headers.Get("Content-Type") != "" {
				t.Fatalf("a type was bound: %v", tk.Headers)
			}
			if code := send(tk, c.body); code/100 != 2 {
				t.Fatalf("upload: %d", code)
			}
			f, err := b.client.ConfirmUpload(ctx, "kim", &mediastore.ConfirmRequest{Key: tk.Key})
			if !errors.Is(err, c.want) || err == nil && (f.ContentType != "image/png" || f.ResourceType != "image") {
				t.Fatalf("confirm: %v %+v", err, f)
			}
			if f != nil {
				if err := b.client.Delete(ctx, "kim", f.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		b.requireOwnerEmpty(t, "kim")
	})

	// An object that breaks the limits is deleted, and nothing recorded.
	t.Run("sniffed type not allowed", func(t *testing.T) {
		tk, err := b.client.PrepareUpload(ctx, "kim", &mediastore.PrepareRequest{Filename: "a.png", ContentType: "image/png"})
		if err != nil {
			t.Fatal(err)
		}
		if code := send(tk, []byte("%PDF-1.7 not an image at all")); code/100 != 2 {
			t.Fatalf("upload: %d", code)
		}
		if _, err := b.client.ConfirmUpload(ctx, "kim", &mediastore.ConfirmRequest{Key: tk.Key}); !errors.Is(err, mediastore.ErrTypeNotAllowed) {
			t.Fatalf("confirm: %v", err)
		}
		b.requireOwnerEmpty(t, "kim")
	})
	t.Run("too large", func(t *testing.T) {
		tk, err := b.client.PrepareUpload(ctx, "kim", &mediastore.PrepareRequest{Filename: "a.png", ContentType: "image/png"})
		if err != nil {
			t.Fatal(err)
		}
		// A provider that does not enforce the limit: the object is there.
		if _, err := b.mem.Put(ctx, tk.Key, bytes.NewReader(pngBytes(60_000, 21)), &mediastore.PutOptions{Size: 60_000}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.client.ConfirmUpload(ctx, "kim", &mediastore.ConfirmRequest{Key: tk.Key}); !errors.Is(err, mediastore.ErrTooLarge) {
			t.Fatalf("confirm: %v", err)
		}
		b.requireOwnerEmpty(t, "kim")
	})
	t.Run("expired", func(t *testing.T) {
		tk, err := b.client.PrepareUpload(ctx, "kim", &mediastore.PrepareRequest{ContentType: "image/png"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.mem.Put(ctx, tk.Key, bytes.NewReader(pngBytes(600, 22)), &mediastore.PutOptions{Size: 600}); err != nil {
			t.Fatal(err)
		}
		b.clock.Add(mediastore.DefaultPendingTTL)
		if _, err := b.client.ConfirmUpload(ctx, "kim", &mediastore.ConfirmRequest{Key: tk.Key}); !errors.Is(err, mediastore.ErrForbidden) {
			t.Fatalf("confirm after expiry: %v", err)
		}
		if res, err := b.client.NewSweeper(nil).RunOnce(ctx); err != nil || res.Removed < 1 {
			t.Fatalf("sweep: %+v %v", res, err)
		}
		b.requireOwnerEmpty(t, "kim")
	})
	t.Run("bad requests", func(t *testing.T) {
		for _, r := range []*mediastore.PrepareRequest{
			{ContentType: "application/pdf"},
			{ContentType: "image/png", Size: 50_001},
			{ContentType: "image/png", Size: -5},
			{ContentType: "image/png", SHA256: "xyz"},
			{ContentType: "not a type"},
		} {
			if _, err := b.client.PrepareUpload(ctx, "kim", r); err == nil {
				t.Errorf("PrepareUpload(%+v) succeeded", r)
			}
		}
		b.requireOwnerEmpty(t, "kim")
	})
	for _, name := range []string{"", "../../etc/passwd", "a/b", "\x00\x01\x1b[31m", strings.Repeat("n", 10_000)} {
		tk, err := b.client.PrepareUpload(ctx, "lee", &mediastore.PrepareRequest{Filename: name, ContentType: "image/png"})
		if err != nil {
			t.Fatalf("PrepareUpload(%q): %v", name[:min(len(name), 20)], err)
		}
		rest := strings.TrimPrefix(tk.Key, "lee/")
		if rest == tk.Key || strings.Contains(rest, "/") || strings.Contains(tk.Key, "..") || len(tk.Key) > 200 {
			t.Errorf("unsafe key %q for name %q", tk.Key, name[:min(len(name), 20)])
		}
	}
}

// requireOwnerEmpty fails unless owner has no row and no object under its
// key prefix.
func (b *testBundle) requireOwnerEmpty(t *testing.T, owner string) {
	t.Helper()
	if rows := b.rows(t, owner); len(rows) != 0 {
		t.Fatalf("%d rows left for %s: %+v", len(rows), owner, rows[0])
	}
	for _, k := range b.prov.objects(t) {
		if strings.HasPrefix(k, owner+"/") {
			t.Fatalf("object left: %s", k)
		}
	}
}

// committingProvider is a two-phase provider that assigns its own keys, as
// Uploadcare does: Put writes a temporary object under a new id, Commit
// makes it permanent.
type committingProvider struct {
	*memory.Provider
	mu        sync.Mutex
	n         int
	committed map[string]bool
	commitErr error
}

func (p *committingProvider) Put(ctx context.Context, key string, r io.Reader, opts *mediastore.PutOptions) (*mediastore.Object, error) {
	p.mu.Lock()
	p.n++
	id := fmt.Sprintf("uuid-%04d", p.n)
	p.mu.Unlock()
	return p.Provider.Put(ctx, id, r, opts)
}

func (p *committingProvider) Commit(ctx context.Context, key string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.commitErr != nil {
		return p.commitErr
	}
	p.committed[key] = true
	return nil
}

func testCommitter(t *testing.T, newStore storeFactory) {
	ctx := context.Background()
	cp := &committingProvider{Provider: memory.New(nil), committed: map[string]bool{}}
	store := newStore(t)
	var seenKeys []string
	hs := &hookStore{MetadataStore: store, setStatusHook: func(p *mediastore.SetStatusParams) error {
		if p.To == mediastore.StatusReady {
			// The row must know the provider's key before it is ready, and
			// the object must be committed by then.
			if !cp.committed[p.Object.Key] {
				return errors.New("ready before commit")
			}
		}
		if p.Object != nil {
			seenKeys = append(seenKeys, p.Object.Key)
		}
		return nil
	}}
	c, err := mediastore.New(cp, hs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Supports(mediastore.CapCommit) {
		t.Fatal("Committer not detected")
	}
	f, err := c.Upload(ctx, "mia", bytes.NewReader(pngBytes(1000, 30)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Key != "uuid-0001" || !cp.committed["uuid-0001"] || len(seenKeys) != 2 || seenKeys[0] != "uuid-0001" {
		t.Fatalf("file key %q committed %v seen %v", f.Key, cp.committed, seenKeys)
	}
	// A failed commit leaves nothing: the temporary object is removed and
	// the row deleted.
	cp.commitErr = errors.New("store refused")
	if _, err := c.Upload(ctx, "mia", bytes.NewReader(pngBytes(1000, 31)), nil); err == nil {
		t.Fatal("upload with a failing commit succeeded")
	}
	rows := 0
	for _, st := range []mediastore.Status{mediastore.StatusPending, mediastore.StatusReady} {
		res, _ := store.List(ctx, &mediastore.ListParams{Owner: "mia", Status: st, Limit: 10})
		rows += len(res.Files)
	}
	if _, err := cp.Stat(ctx, "uuid-0002"); rows != 1 || !errors.Is(err, mediastore.ErrNotFound) {
		t.Fatalf("after a failed commit: %d rows, stat %v", rows, err)
	}
}

// hashingProvider reports a digest of its own choosing from Put, as a
// provider that hashes what it stores does, so a test can tell whose digest
// the Client recorded.
type hashingProvider struct {
	*memory.Provider
	hashes bool
	sum    string
}

func (p *hashingProvider) HashesStored() bool { return p.hashes }

func (p *hashingProvider) Put(ctx context.Context, key string, r io.Reader, opts *mediastore.PutOptions) (*mediastore.Object, error) {
	obj, err := p.Provider.Put(ctx, key, r, opts)
	if err == nil {
		obj.SHA256 = p.sum
	}
	return obj, err
}

func testStoredHasher(t *testing.T, newStore storeFactory) {
	ctx := context.Background()
	data := pngBytes(700_000, 40)
	other := sha([]byte("what the provider stored"))
	for _, tc := range []struct {
		name    string
		hashes  bool
		sum     string
		want    string // recorded SHA-256; "" for a failed upload
		wantErr error
	}{
		{"ProviderDigestRecorded", true, other, other, nil},
		{"NoDigest", true, "", "", mediastore.ErrProvider},
		{"MalformedDigest", true, strings.ToUpper(other), "", mediastore.ErrProvider},
		{"NotHashing", false, "", sha(data), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hp := &hashingProvider{Provider: memory.New(nil), hashes: tc.hashes, sum: tc.sum}
			store := newStore(t)
			c, err := mediastore.New(hp, store, nil)
			if err != nil {
				t.Fatal(err)
			}
			f, err := c.Upload(ctx, "hal", bytes.NewReader(data), nil)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Upload = %+v, %v; want %v", f, err, tc.wantErr)
				}
				for _, st := range []mediastore.Status{mediastore.StatusPending, mediastore.StatusReady, mediastore.StatusDeleting} {
					if res, _ := store.List(ctx, &mediastore.ListParams{Owner: "hal", Status: st, Limit: 10}); len(res.Files) != 0 {
						t.Fatalf("%d %s rows left", len(res.Files), st)
					}
				}
				for o := range hp.ListObjects(ctx, "") {
					t.Fatalf("object left: %s", o.Key)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.SHA256 != tc.want {
				t.Fatalf("recorded SHA-256 %s, want %s", f.SHA256, tc.want)
			}
		})
	}
}

// statReadProvider is the memory provider with StatRead, counting the
// calls that tell which way ConfirmUpload asked.
type statReadProvider struct {
	*memory.Provider
	statReads, stats, ranges atomic.Int32
}

func (p *statReadProvider) StatRead(ctx context.Context, key string, n int) (*mediastore.Object, []byte, error) {
	p.statReads.Add(1)
	obj, err := p.Provider.Stat(ctx, key)
	if err != nil {
		return nil, nil, err
	}
	rc, err := p.Provider.ReadRange(ctx, key, 0, int64(n))
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	head, err := io.ReadAll(rc)
	obj.SHA256 = ""
	return obj, head, err
}

func (p *statReadProvider) Stat(ctx context.Context, key string) (*mediastore.Object, error) {
	p.stats.Add(1)
	return p.Provider.Stat(ctx, key)
}

func (p *statReadProvider) ReadRange(ctx context.Context, key string, off, n int64) (io.ReadCloser, error) {
	p.ranges.Add(1)
	return p.Provider.ReadRange(ctx, key, off, n)
}

// testStatReader: ConfirmUpload asks a StatReader once for the object and
// its first bytes, sniffs those bytes, and uses Stat when the client
// declared a checksum, which only Stat reports.
func testStatReader(t *testing.T, newStore storeFactory) {
	ctx := context.Background()
	png := pngBytes(5000, 50)
	for _, tc := range []struct {
		name                     string
		body                     []byte
		declareSHA               bool
		want                     error
		statReads, stats, ranges int32
	}{
		{"OneRequest", png, false, nil, 1, 0, 0},
		{"DeclaredChecksum", png, true, nil, 0, 1, 1},
		{"SniffedFromItsBytes", []byte("just some text, not an image at all"), false, mediastore.ErrTypeNotAllowed, 1, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &statReadProvider{Provider: memory.New(&memory.Config{BaseURL: "http://127.0.0.1:1/m"})}
			c, err := mediastore.New(p, newStore(t), &mediastore.Config{AllowedTypes: []string{"image/*"}})
			if err != nil {
				t.Fatal(err)
			}
			req := &mediastore.PrepareRequest{Filename: "a.png", Size: int64(len(tc.body))}
			if tc.declareSHA {
				req.SHA256 = sha(tc.body)
			}
			tk, err := c.PrepareUpload(ctx, "sol", req)
			if err != nil {
				t.Fatal(err)
			}
			// The client's upload, straight into the provider.
			if _, err := p.Provider.Put(ctx, tk.Key, bytes.NewReader(tc.body), &mediastore.PutOptions{Size: int64(len(tc.body))}); err != nil {
				t.Fatal(err)
			}
			f, err := c.ConfirmUpload(ctx, "sol", &mediastore.ConfirmRequest{Key: tk.Key})
			if !errors.Is(err, tc.want) {
				t.Fatalf("ConfirmUpload = %+v, %v; want %v", f, err, tc.want)
			}
			if got := [3]int32{p.statReads.Load(), p.stats.Load(), p.ranges.Load()}; got != [3]int32{tc.statReads, tc.stats, tc.ranges} {
				t.Fatalf("StatRead, Stat, ReadRange calls = %v, want %v", got, [3]int32{tc.statReads, tc.stats, tc.ranges})
			}
			if tc.want != nil {
				if _, err := p.Provider.Stat(ctx, tk.Key); !errors.Is(err, mediastore.ErrNotFound) {
					t.Fatalf("refused object still stored: %v", err)
				}
				return
			}
			if f.Status != mediastore.StatusReady || f.ContentType != "image/png" || f.Size != int64(len(tc.body)) {
				t.Fatalf("confirmed %+v", f)
			}
		})
	}
}

func TestNewConfig(t *testing.T) {
	t.Parallel()
	p := memory.New(nil)
	s := &hookStore{}
	if _, err := mediastore.New(nil, s, nil); err == nil {
		t.Error("nil provider accepted")
	}
	if _, err := mediastore.New(p, nil, nil); err == nil {
		t.Error("nil store accepted")
	}
	for _, cfg := range []mediastore.Config{
		{MaxSize: -1}, {PendingTTL: -1}, {URLExpiry: -1}, {Concurrency: -2},
		{AllowedTypes: []string{"Image/PNG"}}, {AllowedTypes: []string{""}}, {AllowedTypes: []string{"image"}},
	} {
		if _, err := mediastore.New(p, s, &cfg); err == nil || !strings.HasPrefix(err.Error(), "mediastore: Config.") {
			t.Errorf("New(%+v): %v", cfg, err)
		}
	}
	c, err := mediastore.New(p, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := c.Config()
	if got.MaxSize != mediastore.DefaultMaxSize || got.PendingTTL != mediastore.DefaultPendingTTL || got.Concurrency != mediastore.DefaultConcurrency {
		t.Fatalf("defaults %+v", got)
	}
	if !c.Supports(mediastore.CapDirectUpload) || c.Supports(mediastore.CapTransform) {
		t.Fatal("capabilities of the memory provider misdetected")
	}
}

func TestFlowsMemstore(t *testing.T) {
	t.Parallel()
	runFlows(t, func(t *testing.T) mediastore.MetadataStore { return memstore.New() })
}

func TestFlowsPostgres(t *testing.T) {
	t.Parallel()
	runFlows(t, func(t *testing.T) mediastore.MetadataStore {
		return testdb.Store(context.Background(), t, nil)
	})
}
