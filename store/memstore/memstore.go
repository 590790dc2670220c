package memstore

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/store/internal/paramcheck"
)

// Store is an in-memory [mediastore.MetadataStore]. It is safe for
// concurrent use. The zero value is not usable; call [New].
type Store struct {
	mu    sync.Mutex
	byID  map[string]*mediastore.File // the rows; never handed out
	byKey map[providerKey]string      // (provider, key) -> id
}

type providerKey struct{ provider, key string }

var _ mediastore.MetadataStore = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{byID: map[string]*mediastore.File{}, byKey: map[providerKey]string{}}
}

// clock returns the current time at PostgreSQL's precision.
func clock() time.Time { return stamp(time.Now()) }

// stamp rounds t to microseconds in UTC, as PostgreSQL stores it.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Round(time.Microsecond)
}

// extra copies m through JSON, as a jsonb column does; nil stays nil.
func extra(m map[string]any) map[string]any {
	b, _ := paramcheck.MarshalExtra(m) // checked before
	if b == nil {
		return nil
	}
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// clone returns a copy of a row that the caller may change.
func clone(f *mediastore.File) *mediastore.File {
	c := *f
	c.Extra = extra(f.Extra)
	return &c
}

// ctxErr reports a done context the way pgstore does.
func ctxErr(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return mediastore.NewError(op, "", "", mediastore.ErrStore, err)
	}
	return nil
}

// Insert implements [mediastore.MetadataStore.Insert].
func (s *Store) Insert(ctx context.Context, p *mediastore.InsertParams) (*mediastore.File, error) {
	const op = "memstore.Insert"
	if err := paramcheck.Insert(p); err != nil {
		if p == nil {
			return nil, mediastore.NewError(op, "", "", mediastore.ErrInvalid, err)
		}
		return nil, mediastore.NewError(op, p.Provider, p.Key, mediastore.ErrInvalid, err)
	}
	if err := ctxErr(ctx, op); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pk := providerKey{p.Provider, p.Key}
	if _, taken := s.byKey[pk]; taken {
		return nil, paramcheck.Conflict(op, p.Provider, p.Key, "the key is taken")
	}
	t := clock()
	f := &mediastore.File{
		ID: paramcheck.NewID(), Owner: p.Owner, Provider: p.Provider, Key: p.Key, Status: p.Status,
		Filename: p.Filename, ContentType: p.ContentType, ResourceType: p.ResourceType, Size: p.Size,
		SHA256: p.SHA256, URL: p.URL, Extra: extra(p.Extra),
		CreatedAt: t, UpdatedAt: t, ExpiresAt: stamp(p.ExpiresAt),
	}
	s.byID[f.ID] = f
	s.byKey[pk] = f.ID
	return clone(f), nil
}

// lookup returns the row id when owner may see it ("" sees every row).
// The caller holds s.mu.
func (s *Store) lookup(id, owner string) *mediastore.File {
	f := s.byID[id]
	if f == nil || (owner != "" && f.Owner != owner) {
		return nil
	}
	return f
}

// Get implements [mediastore.MetadataStore.Get].
func (s *Store) Get(ctx context.Context, p *mediastore.GetParams) (*mediastore.File, error) {
	const op = "memstore.Get"
	if err := paramcheck.Get(p); err != nil {
		return nil, mediastore.NewError(op, "", "", mediastore.ErrInvalid, err)
	}
	if err := ctxErr(ctx, op); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.lookup(p.ID, p.Owner)
	if f == nil {
		return nil, paramcheck.NotFound(op, "", p.ID)
	}
	return clone(f), nil
}

// GetByKey implements [mediastore.MetadataStore.GetByKey].
func (s *Store) GetByKey(ctx context.Context, p *mediastore.GetByKeyParams) (*mediastore.File, error) {
	const op = "memstore.GetByKey"
	if err := paramcheck.GetByKey(p); err != nil {
		return nil, mediastore.NewError(op, "", "", mediastore.ErrInvalid, err)
	}
	if err := ctxErr(ctx, op); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.lookup(s.byKey[providerKey{p.Provider, p.Key}], p.Owner)
	if f == nil {
		return nil, paramcheck.NotFound(op, p.Provider, p.Key)
	}
	return clone(f), nil
}

// newestFirst is the listing order: (CreatedAt, ID) descending.
func newestFirst(a, b *mediastore.File) int {
	if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
		return c
	}
	return cmp.Compare(b.ID, a.ID)
}

// List implements [mediastore.MetadataStore.List].
func (s *Store) List(ctx context.Context, p *mediastore.ListParams) (*mediastore.ListResult, error) {
	const op = "memstore.List"
	if err := paramcheck.List(p); err != nil {
		return nil, mediastore.NewError(op, "", "", mediastore.ErrInvalid, err)
	}
	if err := ctxErr(ctx, op); err != nil {
		return nil, err
	}
	var after *mediastore.File
	if p.After != nil {
		after = &mediastore.File{CreatedAt: p.After.CreatedAt, ID: p.After.ID}
	}
	s.mu.Lock()
	var rows []*mediastore.File
	for _, f := range s.byID {
		if f.Owner != p.Owner || f.Status != p.Status ||
			(p.ResourceType != "" && f.ResourceType != p.ResourceType) ||
			(after != nil && newestFirst(f, after) <= 0) {
			continue
		}
		rows = append(rows, clone(f))
	}
	s.mu.Unlock()
	slices.SortFunc(rows, newestFirst)
	res := &mediastore.ListResult{Files: rows}
	if len(rows) > p.Limit {
		res.Files = rows[:p.Limit:p.Limit]
		last := res.Files[p.Limit-1]
		res.Next = &mediastore.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	return res, nil
}

// SetStatus implements [mediastore.MetadataStore.SetStatus].
func (s *Store) SetStatus(ctx context.Context, p *mediastore.SetStatusParams) (*mediastore.File, error) {
	const op = "memstore.SetStatus"
	if err := paramcheck.SetStatus(p); err != nil {
		return nil, mediastore.NewError(op, "", "", mediastore.ErrInvalid, err)
	}
	if err := ctxErr(ctx, op); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.lookup(p.ID, p.Owner)
	if f == nil {
		return nil, paramcheck.NotFound(op, "", p.ID)
	}
	if f.Status != p.From {
		return nil, paramcheck.Conflict(op, "", p.ID, "the row is "+string(f.Status)+", not "+string(p.From))
	}
	next := clone(f)
	next.Status, next.ExpiresAt, next.UpdatedAt = p.To, stamp(p.ExpiresAt), clock()
	if o := p.Object; o != nil {
		if o.Key != "" && o.Key != f.Key {
			if _, taken := s.byKey[providerKey{f.Provider, o.Key}]; taken {
				return nil, paramcheck.Conflict(op, f.Provider, o.Key, "the key is taken")
			}
			next.Key = o.Key
		}
		next.Size = cmp.Or(o.Size, f.Size)
		next.ContentType = cmp.Or(o.ContentType, f.ContentType)
		next.ResourceType = cmp.Or(o.ResourceType, f.ResourceType)
		next.SHA256 = cmp.Or(o.SHA256, f.SHA256)
		next.ETag = cmp.Or(o.ETag, f.ETag)
		next.URL = cmp.Or(o.URL, f.URL)
		next.Width = cmp.Or(o.Width, f.Width)
		next.Height = cmp.Or(o.Height, f.Height)
		if o.Extra != nil {
			next.Extra = extra(o.Extra)
		}
	}
	if next.Key != f.Key {
		delete(s.byKey, providerKey{f.Provider, f.Key})
		s.byKey[providerKey{f.Provider, next.Key}] = f.ID
	}
	s.byID[f.ID] = next
	return clone(next), nil
}

// Delete implements [mediastore.MetadataStore.Delete].
func (s *Store) Delete(ctx context.Context, p *mediastore.DeleteParams) error {
	const op = "memstore.Delete"
	if err := paramcheck.Delete(p); err != nil {
		return mediastore.NewError(op, "", "", mediastore.ErrInvalid, err)
	}
	if err := ctxErr(ctx, op); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.lookup(p.ID, p.Owner)
	if f == nil {
		return paramcheck.NotFound(op, "", p.ID)
	}
	if f.Status != p.Status {
		return paramcheck.Conflict(op, "", p.ID, "the row is "+string(f.Status)+", not "+string(p.Status))
	}
	delete(s.byID, f.ID)
	delete(s.byKey, providerKey{f.Provider, f.Key})
	return nil
}

// ClaimExpired implements [mediastore.MetadataStore.ClaimExpired].
func (s *Store) ClaimExpired(ctx context.Context, p *mediastore.ClaimParams) ([]*mediastore.File, error) {
	const op = "memstore.ClaimExpired"
	if err := paramcheck.Claim(p); err != nil {
		return nil, mediastore.NewError(op, "", "", mediastore.ErrInvalid, err)
	}
	if err := ctxErr(ctx, op); err != nil {
		return nil, err
	}
	at, until := stamp(p.Now), stamp(p.Now.Add(p.Lease))
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []*mediastore.File
	for _, f := range s.byID {
		if f.Provider == p.Provider && f.Status != mediastore.StatusReady &&
			!f.ExpiresAt.IsZero() && !f.ExpiresAt.After(at) {
			due = append(due, f)
		}
	}
	slices.SortFunc(due, func(a, b *mediastore.File) int {
		return cmp.Or(a.ExpiresAt.Compare(b.ExpiresAt), cmp.Compare(a.ID, b.ID))
	})
	if len(due) > p.Limit {
		due = due[:p.Limit]
	}
	t := clock()
	out := make([]*mediastore.File, len(due))
	for i, f := range due {
		next := clone(f)
		next.Status, next.ExpiresAt, next.UpdatedAt = mediastore.StatusDeleting, until, t
		s.byID[f.ID] = next
		out[i] = clone(next)
	}
	return out, nil
}

var _ mediastore.RowScanner = (*Store)(nil)

// ScanRows implements [mediastore.RowScanner].
func (s *Store) ScanRows(ctx context.Context, p *mediastore.ScanParams) ([]*mediastore.File, error) {
	const op = "memstore.ScanRows"
	if err := paramcheck.Scan(p); err != nil {
		return nil, mediastore.NewError(op, "", "", mediastore.ErrInvalid, err)
	}
	if err := ctxErr(ctx, op); err != nil {
		return nil, err
	}
	s.mu.Lock()
	var rows []*mediastore.File
	for _, f := range s.byID {
		if f.Provider == p.Provider && strings.HasPrefix(f.Key, p.Prefix) && f.Key > p.AfterKey {
			rows = append(rows, clone(f))
		}
	}
	s.mu.Unlock()
	slices.SortFunc(rows, func(a, b *mediastore.File) int { return strings.Compare(a.Key, b.Key) })
	if len(rows) > p.Limit {
		rows = rows[:p.Limit:p.Limit]
	}
	return rows, nil
}
