package reliability

import (
	"context"
	"io"

	"github.com/mediastore/mediastore"
)

// event is one call of the Client to a dependency, seen before it is made
// and after it returns.
type event struct {
	dep   string // "pg" or "s3"
	op    string // the method: "Insert", "SetStatus", "Put", ...
	to    mediastore.Status
	after bool
	err   error // after only
}

// hookStore reports every call of the Client to its store.
type hookStore struct {
	mediastore.MetadataStore
	hook func(event)
}

func (s *hookStore) call(op string, to mediastore.Status, fn func() error) {
	s.hook(event{dep: "pg", op: op, to: to})
	err := fn()
	s.hook(event{dep: "pg", op: op, to: to, after: true, err: err})
}

func (s *hookStore) Insert(ctx context.Context, p *mediastore.InsertParams) (f *mediastore.File, err error) {
	s.call("Insert", p.Status, func() error { f, err = s.MetadataStore.Insert(ctx, p); return err })
	return f, err
}

func (s *hookStore) Get(ctx context.Context, p *mediastore.GetParams) (f *mediastore.File, err error) {
	s.call("Get", "", func() error { f, err = s.MetadataStore.Get(ctx, p); return err })
	return f, err
}

func (s *hookStore) GetByKey(ctx context.Context, p *mediastore.GetByKeyParams) (f *mediastore.File, err error) {
	s.call("GetByKey", "", func() error { f, err = s.MetadataStore.GetByKey(ctx, p); return err })
	return f, err
}

func (s *hookStore) List(ctx context.Context, p *mediastore.ListParams) (r *mediastore.ListResult, err error) {
	s.call("List", "", func() error { r, err = s.MetadataStore.List(ctx, p); return err })
	return r, err
}

func (s *hookStore) SetStatus(ctx context.Context, p *mediastore.SetStatusParams) (f *mediastore.File, err error) {
	s.call("SetStatus", p.To, func() error { f, err = s.MetadataStore.SetStatus(ctx, p); return err })
	return f, err
}

func (s *hookStore) Delete(ctx context.Context, p *mediastore.DeleteParams) (err error) {
	s.call("Delete", "", func() error { err = s.MetadataStore.Delete(ctx, p); return err })
	return err
}

func (s *hookStore) ClaimExpired(ctx context.Context, p *mediastore.ClaimParams) (fs []*mediastore.File, err error) {
	s.call("ClaimExpired", "", func() error { fs, err = s.MetadataStore.ClaimExpired(ctx, p); return err })
	return fs, err
}

// hookProvider reports every call of the Client to its provider. It
// passes RangeReader through (the confirm's sniffing needs it) and hides
// the other capabilities.
type hookProvider struct {
	mediastore.Provider
	rr   mediastore.RangeReader
	hook func(event)
}

func newHookProvider(p interface {
	mediastore.Provider
	mediastore.RangeReader
}, hook func(event)) *hookProvider {
	return &hookProvider{Provider: p, rr: p, hook: hook}
}

func (p *hookProvider) call(op string, fn func() error) {
	p.hook(event{dep: "s3", op: op})
	err := fn()
	p.hook(event{dep: "s3", op: op, after: true, err: err})
}

func (p *hookProvider) Put(ctx context.Context, key string, r io.Reader, opts *mediastore.PutOptions) (o *mediastore.Object, err error) {
	p.call("Put", func() error { o, err = p.Provider.Put(ctx, key, r, opts); return err })
	return o, err
}

func (p *hookProvider) Stat(ctx context.Context, key string) (o *mediastore.Object, err error) {
	p.call("Stat", func() error { o, err = p.Provider.Stat(ctx, key); return err })
	return o, err
}

func (p *hookProvider) Delete(ctx context.Context, key string) (err error) {
	p.call("Delete", func() error { err = p.Provider.Delete(ctx, key); return err })
	return err
}

func (p *hookProvider) ReadRange(ctx context.Context, key string, off, n int64) (rc io.ReadCloser, err error) {
	p.call("ReadRange", func() error { rc, err = p.rr.ReadRange(ctx, key, off, n); return err })
	return rc, err
}

var _ mediastore.RangeReader = (*hookProvider)(nil)
