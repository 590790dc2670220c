package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/store/internal/paramcheck"
)

// Config tunes a [Store]. A nil *Config means defaults.
type Config struct {
	// Schema holds the files table. Defaults to "public".
	Schema string
	// Table is the files table. Defaults to "mediastore_files".
	Table string
	// RLS makes every owner-scoped call run in one transaction that first
	// sets the owner for the Row Level Security policies with
	// set_config('mediastore.owner', owner, true). Turn it on when the
	// pool connects as a role that is not the table owner and has no
	// BYPASSRLS; see the package documentation. Defaults to off.
	RLS bool
	// SystemPool serves the calls that are not owner-scoped: SetStatus and
	// Delete with an empty Owner, and ClaimExpired (the sweeper and the
	// compensation of failed uploads). With RLS and a restricted
	// application role, give it a pool of the table owner or of a
	// BYPASSRLS role, or those calls see no rows. Defaults to the main
	// pool.
	SystemPool *pgxpool.Pool
}

// Store is a [mediastore.MetadataStore] on PostgreSQL. It is safe for
// concurrent use.
type Store struct {
	pool, sys *pgxpool.Pool
	rls       bool
	q         queries
	ins       inserter
}

var _ mediastore.MetadataStore = (*Store)(nil)

// New returns a Store on pool, which must reach a database migrated with
// [Migrate] for the same Schema and Table. New does no I/O.
func New(pool *pgxpool.Pool, cfg *Config) (*Store, error) {
	const op = "pgstore.New"
	if pool == nil {
		return nil, mediastore.NewError(op, "", "", mediastore.ErrInvalid, errors.New("pool is nil"))
	}
	var c Config
	if cfg != nil {
		c = *cfg
	}
	n, err := newNames(op, c.Schema, c.Table)
	if err != nil {
		return nil, err
	}
	s := &Store{pool: pool, sys: pool, rls: c.RLS, q: newQueries(n.Table)}
	if c.SystemPool != nil {
		s.sys = c.SystemPool
	}
	return s, nil
}

// fileRow is one row of the files table.
type fileRow struct {
	ID           string         `db:"id"`
	Owner        string         `db:"owner"`
	Provider     string         `db:"provider"`
	Key          string         `db:"key"`
	Status       string         `db:"status"`
	Filename     string         `db:"filename"`
	ContentType  string         `db:"content_type"`
	ResourceType string         `db:"resource_type"`
	Size         int64          `db:"size"`
	SHA256       string         `db:"sha256"`
	ETag         string         `db:"etag"`
	URL          string         `db:"url"`
	Width        int            `db:"width"`
	Height       int            `db:"height"`
	Extra        map[string]any `db:"extra"`
	CreatedAt    time.Time      `db:"created_at"`
	UpdatedAt    time.Time      `db:"updated_at"`
	ExpiresAt    *time.Time     `db:"expires_at"`
}

func (r *fileRow) file() *mediastore.File {
	f := &mediastore.File{
		ID: r.ID, Owner: r.Owner, Provider: r.Provider, Key: r.Key,
		Status: mediastore.Status(r.Status), Filename: r.Filename,
		ContentType: r.ContentType, ResourceType: r.ResourceType, Size: r.Size,
		SHA256: r.SHA256, ETag: r.ETag, URL: r.URL, Width: r.Width, Height: r.Height,
		Extra: r.Extra, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.ExpiresAt != nil {
		f.ExpiresAt = r.ExpiresAt.UTC()
	}
	return f
}

const columns = `id, owner, provider, key, status, filename, content_type, resource_type,
	size, sha256, etag, url, width, height, extra, created_at, updated_at, expires_at`

// queries are the statements of one table, one per call.
type queries struct {
	table, insert, get, getSystem, getByKey, setStatus, setStatusSystem,
	delete, deleteSystem, claim string
}

func newQueries(table string) queries {
	setStatus := `UPDATE ` + table + ` SET
		status = $1,
		key = coalesce(nullif($2::text, ''), key),
		size = coalesce(nullif($3::bigint, 0), size),
		content_type = coalesce(nullif($4::text, ''), content_type),
		resource_type = coalesce(nullif($5::text, ''), resource_type),
		sha256 = coalesce(nullif($6::text, ''), sha256),
		etag = coalesce(nullif($7::text, ''), etag),
		url = coalesce(nullif($8::text, ''), url),
		width = coalesce(nullif($9::integer, 0), width),
		height = coalesce(nullif($10::integer, 0), height),
		extra = coalesce($11::jsonb, extra),
		expires_at = $12::timestamptz,
		updated_at = now()
		WHERE id = $13::uuid AND status = $14`
	return queries{
		table: table,
		insert: `INSERT INTO ` + table + ` (owner, provider, key, status, filename, content_type,
			resource_type, size, sha256, url, extra, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bigint, $9, $10, $11::jsonb, $12::timestamptz)
			RETURNING ` + columns,
		get:             `SELECT ` + columns + ` FROM ` + table + ` WHERE id = $1::uuid AND owner = $2`,
		getSystem:       `SELECT ` + columns + ` FROM ` + table + ` WHERE id = $1::uuid`,
		getByKey:        `SELECT ` + columns + ` FROM ` + table + ` WHERE provider = $1 AND key = $2 AND owner = $3`,
		setStatus:       setStatus + ` AND owner = $15 RETURNING ` + columns,
		setStatusSystem: setStatus + ` RETURNING ` + columns,
		delete:          `DELETE FROM ` + table + ` WHERE id = $1::uuid AND status = $2 AND owner = $3`,
		deleteSystem:    `DELETE FROM ` + table + ` WHERE id = $1::uuid AND status = $2`,
		claim: `UPDATE ` + table + ` SET status = 'deleting', expires_at = $4::timestamptz, updated_at = now()
			WHERE id IN (
				SELECT id FROM ` + table + `
				WHERE provider = $1 AND status IN ('pending', 'deleting') AND expires_at <= $2::timestamptz
				ORDER BY expires_at
				LIMIT $3::integer
				FOR UPDATE SKIP LOCKED)
			RETURNING ` + columns,
	}
}

// list builds the listing statement: owner, status, optional resource
// type, optional keyset position, limit.
func (q *queries) list(p *mediastore.ListParams) (string, []any) {
	var b strings.Builder
	args := []any{p.Owner, string(p.Status)}
	b.WriteString(`SELECT ` + columns + ` FROM ` + q.table + ` WHERE owner = $1 AND status = $2`)
	if p.ResourceType != "" {
		args = append(args, p.ResourceType)
		fmt.Fprintf(&b, ` AND resource_type = $%d`, len(args))
	}
	if p.After != nil {
		args = append(args, p.After.CreatedAt, p.After.ID)
		fmt.Fprintf(&b, ` AND (created_at, id) < ($%d::timestamptz, $%d::uuid)`, len(args)-1, len(args))
	}
	args = append(args, p.Limit+1)
	fmt.Fprintf(&b, ` ORDER BY created_at DESC, id DESC LIMIT $%d::integer`, len(args))
	return b.String(), args
}

const setOwner = `SELECT set_config('mediastore.owner', $1, true)`

// poolFor returns the pool that serves owner's calls ("" is the system).
func (s *Store) poolFor(owner string) *pgxpool.Pool {
	if owner == "" {
		return s.sys
	}
	return s.pool
}

// query runs one statement that returns rows. With RLS and an owner, it is
// sent in one batch after set_config: one round trip, one (implicit)
// transaction, in every query exec mode.
func (s *Store) query(ctx context.Context, owner, sql string, args ...any) ([]*mediastore.File, error) {
	var rows []fileRow
	collect := func(r pgx.Rows) error {
		var err error
		rows, err = pgx.CollectRows(r, pgx.RowToStructByName[fileRow])
		return err
	}
	if s.rls && owner != "" {
		b := &pgx.Batch{}
		b.Queue(setOwner, owner)
		b.Queue(sql, args...).Query(collect)
		if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
			return nil, err
		}
	} else {
		r, err := s.poolFor(owner).Query(ctx, sql, args...)
		if err != nil {
			return nil, err
		}
		if err := collect(r); err != nil {
			return nil, err
		}
	}
	files := make([]*mediastore.File, len(rows))
	for i := range rows {
		files[i] = rows[i].file()
	}
	return files, nil
}

// exec runs one statement that returns no rows and reports the rows it
// touched, in the same way as query.
func (s *Store) exec(ctx context.Context, owner, sql string, args ...any) (int64, error) {
	if s.rls && owner != "" {
		var n int64
		b := &pgx.Batch{}
		b.Queue(setOwner, owner)
		b.Queue(sql, args...).Exec(func(ct pgconn.CommandTag) error {
			n = ct.RowsAffected()
			return nil
		})
		err := s.pool.SendBatch(ctx, b).Close()
		return n, err
	}
	ct, err := s.poolFor(owner).Exec(ctx, sql, args...)
	return ct.RowsAffected(), err
}

// one returns the single row of files, or pgx.ErrNoRows.
func one(files []*mediastore.File, err error) (*mediastore.File, error) {
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, pgx.ErrNoRows
	}
	return files[0], nil
}

// timeArg is t for a timestamptz parameter, NULL when t is zero.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// jsonArg is the JSON text of extra for a jsonb parameter, NULL when nil.
func jsonArg(extra map[string]any) any {
	b, _ := paramcheck.MarshalExtra(extra) // checked by paramcheck already
	if b == nil {
		return nil
	}
	return string(b)
}

// Insert implements [mediastore.MetadataStore.Insert] in one statement,
// committed in a group with the Inserts of concurrent callers.
//
// When no other Insert of the Store is in flight, the statement goes out
// at once, on ctx. Inserts that arrive while one is in flight wait, and
// go out together when it returns: up to 64 in one pgx.Batch (each after
// its own set_config with RLS), one round trip and one transaction, which
// runs on a context detached from the callers' (with a 30 s timeout) so
// that no caller's end fails the others. If that transaction fails, each
// of its inserts is retried alone, on its own caller's context, so each
// caller gets its own outcome.
//
// A caller whose ctx ends while it waits returns ctx's error at once. Its
// insert is dropped if the batch has not been assembled yet, but it may
// already be in a batch and be committed: like any pending intent whose
// caller saw an error, the row is then removed by the sweeper after it
// expires (a ready row would stay). A caller that sends a batch of
// several waits for it even if its ctx ends, for one round trip at most
// (bounded by the timeout), and then reports the batch's outcome.
func (s *Store) Insert(ctx context.Context, p *mediastore.InsertParams) (*mediastore.File, error) {
	const op = "pgstore.Insert"
	if err := paramcheck.Insert(p); err != nil {
		return nil, invalid(op, p, err)
	}
	f, err := s.groupInsert(ctx, p)
	if err != nil {
		return nil, interpretError(op, p.Provider, p.Key, err)
	}
	return f, nil
}

// invalid wraps a validation failure of an Insert.
func invalid(op string, p *mediastore.InsertParams, err error) error {
	if p == nil {
		return mediastore.NewError(op, "", "", mediastore.ErrInvalid, err)
	}
	return mediastore.NewError(op, p.Provider, p.Key, mediastore.ErrInvalid, err)
}

// Get implements [mediastore.MetadataStore.Get].
func (s *Store) Get(ctx context.Context, p *mediastore.GetParams) (*mediastore.File, error) {
	const op = "pgstore.Get"
	if err := paramcheck.Get(p); err != nil {
		return nil, mediastore.NewError(op, "", "", mediastore.ErrInvalid, err)
	}
	if !paramcheck.ValidID(p.ID) {
		return nil, paramcheck.NotFound(op, "", p.ID)
	}
	f, err := one(s.query(ctx, p.Owner, s.q.get, p.ID, p.Owner))
	return f, interpretError(op, "", p.ID, err)
}

// GetByKey implements [mediastore.MetadataStore.GetByKey].
func (s *Store) GetByKey(ctx context.Context, p *mediastore.GetByKeyParams) (*mediastore.File, error) {
	const op = "pgstore.GetByKey"
	if err := paramcheck.GetByKey(p); err != nil {
		return nil, mediastore.NewError(op, "", "", mediastore.ErrInvalid, err)
	}
	f, err := one(s.query(ctx, p.Owner, s.q.getByKey, p.Provider, p.Key, p.Owner))
	return f, interpretError(op, p.Provider, p.Key, err)
}

// List implements [mediastore.MetadataStore.List]: one statement served by
// the (owner, status, created_at DESC, id DESC) index.
func (s *Store) List(ctx context.Context, p *mediastore.ListParams) (*mediastore.ListResult, error) {
	const op = "pgstore.List"
	if err := paramcheck.List(p); err != nil {
		return nil, mediastore.NewError(op, "", "", mediastore.ErrInvalid, err)
	}
	sql, args := s.q.list(p)
	files, err := s.query(ctx, p.Owner, sql, args...)
	if err != nil {
		return nil, interpretError(op, "", "", err)
	}
	res := &mediastore.ListResult{Files: files}
	if len(files) > p.Limit {
		res.Files = files[:p.Limit]
		last := res.Files[p.Limit-1]
		res.Next = &mediastore.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	return res, nil
}

// SetStatus implements [mediastore.MetadataStore.SetStatus]: one
// compare-and-set statement; only when it matches no row, a second one
// tells ErrNotFound from ErrConflict.
func (s *Store) SetStatus(ctx context.Context, p *mediastore.SetStatusParams) (*mediastore.File, error) {
	const op = "pgstore.SetStatus"
	if err := paramcheck.SetStatus(p); err != nil {
		return nil, mediastore.NewError(op, "", "", mediastore.ErrInvalid, err)
	}
	if !paramcheck.ValidID(p.ID) {
		return nil, paramcheck.NotFound(op, "", p.ID)
	}
	o := p.Object
	if o == nil {
		o = &mediastore.Object{}
	}
	args := []any{string(p.To), o.Key, o.Size, o.ContentType, o.ResourceType, o.SHA256, o.ETag, o.URL,
		o.Width, o.Height, jsonArg(o.Extra), timeArg(p.ExpiresAt), p.ID, string(p.From)}
	sql := s.q.setStatusSystem
	if p.Owner != "" {
		sql, args = s.q.setStatus, append(args, p.Owner)
	}
	files, err := s.query(ctx, p.Owner, sql, args...)
	if err != nil {
		return nil, interpretError(op, "", p.ID, err)
	}
	if len(files) == 1 {
		return files[0], nil
	}
	return nil, s.missOrConflict(ctx, op, p.ID, p.Owner, p.From)
}

// missOrConflict explains a compare-and-set that matched no row.
func (s *Store) missOrConflict(ctx context.Context, op, id, owner string, want mediastore.Status) error {
	var f *mediastore.File
	var err error
	if owner == "" {
		f, err = one(s.query(ctx, owner, s.q.getSystem, id))
	} else {
		f, err = one(s.query(ctx, owner, s.q.get, id, owner))
	}
	if err != nil {
		return interpretError(op, "", id, err)
	}
	return paramcheck.Conflict(op, "", id, fmt.Sprintf("the row is %s, not %s", f.Status, want))
}

// Delete implements [mediastore.MetadataStore.Delete] like SetStatus.
func (s *Store) Delete(ctx context.Context, p *mediastore.DeleteParams) error {
	const op = "pgstore.Delete"
	if err := paramcheck.Delete(p); err != nil {
		return mediastore.NewError(op, "", "", mediastore.ErrInvalid, err)
	}
	if !paramcheck.ValidID(p.ID) {
		return paramcheck.NotFound(op, "", p.ID)
	}
	var n int64
	var err error
	if p.Owner == "" {
		n, err = s.exec(ctx, "", s.q.deleteSystem, p.ID, string(p.Status))
	} else {
		n, err = s.exec(ctx, p.Owner, s.q.delete, p.ID, string(p.Status), p.Owner)
	}
	if err != nil {
		return interpretError(op, "", p.ID, err)
	}
	if n == 1 {
		return nil
	}
	return s.missOrConflict(ctx, op, p.ID, p.Owner, p.Status)
}

// ClaimExpired implements [mediastore.MetadataStore.ClaimExpired] in one
// statement (FOR UPDATE SKIP LOCKED), served by the partial sweep index,
// on the SystemPool.
func (s *Store) ClaimExpired(ctx context.Context, p *mediastore.ClaimParams) ([]*mediastore.File, error) {
	const op = "pgstore.ClaimExpired"
	if err := paramcheck.Claim(p); err != nil {
		return nil, mediastore.NewError(op, "", "", mediastore.ErrInvalid, err)
	}
	files, err := s.query(ctx, "", s.q.claim, p.Provider, p.Now, p.Limit, p.Now.Add(p.Lease))
	if err != nil {
		return nil, interpretError(op, p.Provider, "", err)
	}
	return files, nil
}

var _ mediastore.RowScanner = (*Store)(nil)

// ScanRows implements [mediastore.RowScanner] for [mediastore.Client.Reconcile]:
// one statement on the SystemPool, served by the (provider, key) index
// (keys compare in byte order).
func (s *Store) ScanRows(ctx context.Context, p *mediastore.ScanParams) ([]*mediastore.File, error) {
	const op = "pgstore.ScanRows"
	if err := paramcheck.Scan(p); err != nil {
		return nil, mediastore.NewError(op, "", "", mediastore.ErrInvalid, err)
	}
	var b strings.Builder
	args := []any{p.Provider, p.Prefix}
	b.WriteString(`SELECT ` + columns + ` FROM ` + s.q.table + ` WHERE provider = $1 AND key >= $2`)
	if end, ok := paramcheck.PrefixEnd(p.Prefix); ok {
		args = append(args, end)
		fmt.Fprintf(&b, ` AND key < $%d`, len(args))
	}
	if p.AfterKey != "" {
		args = append(args, p.AfterKey)
		fmt.Fprintf(&b, ` AND key > $%d`, len(args))
	}
	args = append(args, p.Limit)
	fmt.Fprintf(&b, ` ORDER BY key LIMIT $%d::integer`, len(args))
	files, err := s.query(ctx, "", b.String(), args...)
	if err != nil {
		return nil, interpretError(op, p.Provider, "", err)
	}
	return files, nil
}
