package pgstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/store/pgstore"
)

type rlsBundle struct {
	schema, table, role string
	owner               *pgxpool.Pool // the table owner's pool
	app                 *pgxpool.Pool // the restricted role's pool, one connection
	alice, bob          []*mediastore.File
}

// setupRLS makes a migrated schema with two rows of alice and two of bob,
// written by the table owner, and a restricted role granted the table.
func setupRLS(t *testing.T) *rlsBundle {
	t.Helper()
	ctx := t.Context()
	b := &rlsBundle{schema: testdb.MigratedSchema(ctx, t), owner: testdb.Pool(ctx, t)}
	b.table = pgx.Identifier{b.schema, "mediastore_files"}.Sanitize()
	ownerStore, err := pgstore.New(b.owner, &pgstore.Config{Schema: b.schema})
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"alice", "alice", "bob", "bob"} {
		f, err := ownerStore.Insert(ctx, &mediastore.InsertParams{Owner: who, Provider: "disk",
			Key: who + "/" + time.Now().Format(time.RFC3339Nano), Status: mediastore.StatusReady, Filename: "original"})
		if err != nil {
			t.Fatal(err)
		}
		if who == "alice" {
			b.alice = append(b.alice, f)
		} else {
			b.bob = append(b.bob, f)
		}
	}
	// One connection, so that a setting that leaked out of a transaction
	// would be seen by the next statement.
	b.role, b.app = appRole(t, func(c *pgxpool.Config) { c.MaxConns = 1 })
	grant(t, b.schema, b.role)

	var bypass, super bool
	var tableOwner string
	if err := b.owner.QueryRow(ctx, "SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = $1", b.role).Scan(&bypass, &super); err != nil {
		t.Fatal(err)
	}
	if err := b.owner.QueryRow(ctx, "SELECT tableowner FROM pg_tables WHERE schemaname = $1 AND tablename = 'mediastore_files'", b.schema).Scan(&tableOwner); err != nil {
		t.Fatal(err)
	}
	if bypass || super || tableOwner == b.role {
		t.Fatalf("role %s: bypassrls %v, superuser %v, table owner %s: not a restricted role", b.role, bypass, super, tableOwner)
	}
	return b
}

// asOwner runs fn in a transaction of the restricted role with
// mediastore.owner set to owner ("" leaves it unset), then rolls back.
func (b *rlsBundle) asOwner(t *testing.T, owner string, fn func(tx pgx.Tx)) {
	t.Helper()
	ctx := t.Context()
	tx, err := b.app.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if owner != "" {
		if _, err := tx.Exec(ctx, "SELECT set_config('mediastore.owner', $1, true)", owner); err != nil {
			t.Fatal(err)
		}
	}
	fn(tx)
}

func count(t *testing.T, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := q.QueryRow(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func affected(t *testing.T, tx pgx.Tx, sql string, args ...any) int64 {
	t.Helper()
	ct, err := tx.Exec(t.Context(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return ct.RowsAffected()
}

// requireRLSRefusal fails unless err is PostgreSQL's refusal by a policy.
func requireRLSRefusal(t *testing.T, err error) {
	t.Helper()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Fatalf("got %v, want a row-level security refusal (42501)", err)
	}
}

// TestRLSRawSQL proves with raw SQL, as the restricted role, that Row
// Level Security hides and protects every row of another owner.
func TestRLSRawSQL(t *testing.T) {
	t.Parallel()
	b := setupRLS(t)
	tbl := b.table
	bobID := b.bob[0].ID

	t.Run("NoSetting", func(t *testing.T) {
		b.asOwner(t, "", func(tx pgx.Tx) {
			if n := count(t, tx, "SELECT count(*) FROM "+tbl); n != 0 {
				t.Fatalf("without the setting the role sees %d rows, want 0", n)
			}
			if n := affected(t, tx, "UPDATE "+tbl+" SET filename = 'hacked'"); n != 0 {
				t.Fatalf("without the setting UPDATE changed %d rows", n)
			}
			if n := affected(t, tx, "DELETE FROM "+tbl); n != 0 {
				t.Fatalf("without the setting DELETE removed %d rows", n)
			}
		})
		b.asOwner(t, "", func(tx pgx.Tx) {
			_, err := tx.Exec(t.Context(), "INSERT INTO "+tbl+" (owner, provider, key, status) VALUES ('bob', 'disk', 'x', 'ready')")
			requireRLSRefusal(t, err)
		})
	})

	t.Run("AliceAgainstBob", func(t *testing.T) {
		b.asOwner(t, "alice", func(tx pgx.Tx) {
			if n := count(t, tx, "SELECT count(*) FROM "+tbl); n != 2 {
				t.Fatalf("alice sees %d rows, want her 2", n)
			}
			if n := count(t, tx, "SELECT count(*) FROM "+tbl+" WHERE owner = 'bob'"); n != 0 {
				t.Fatalf("alice sees %d of bob's rows", n)
			}
			if n := count(t, tx, "SELECT count(*) FROM "+tbl+" WHERE id = $1", bobID); n != 0 {
				t.Fatalf("alice sees bob's row by id")
			}
			if n := affected(t, tx, "UPDATE "+tbl+" SET filename = 'hacked' WHERE owner = 'bob'"); n != 0 {
				t.Fatalf("alice changed %d of bob's rows", n)
			}
			if n := affected(t, tx, "UPDATE "+tbl+" SET filename = 'hacked' WHERE id = $1", bobID); n != 0 {
				t.Fatalf("alice changed bob's row by id")
			}
			if n := affected(t, tx, "DELETE FROM "+tbl+" WHERE owner = 'bob'"); n != 0 {
				t.Fatalf("alice deleted %d of bob's rows", n)
			}
			t.Logf("as %s with mediastore.owner=alice: 0 of bob's rows seen, updated or deleted", b.role)
			// Everything alice can touch is hers.
			if n := affected(t, tx, "UPDATE "+tbl+" SET filename = 'mine'"); n != 2 {
				t.Fatalf("alice's blanket UPDATE changed %d rows, want her 2", n)
			}
			if n := affected(t, tx, "DELETE FROM "+tbl); n != 2 {
				t.Fatalf("alice's blanket DELETE removed %d rows, want her 2", n)
			}
		})
		b.asOwner(t, "alice", func(tx pgx.Tx) {
			// Nor can she give a row to bob, or write one in his name.
			_, err := tx.Exec(t.Context(), "UPDATE "+tbl+" SET owner = 'bob' WHERE owner = 'alice'")
			requireRLSRefusal(t, err)
		})
		b.asOwner(t, "alice", func(tx pgx.Tx) {
			_, err := tx.Exec(t.Context(), "INSERT INTO "+tbl+" (owner, provider, key, status) VALUES ('bob', 'disk', 'forged', 'ready')")
			requireRLSRefusal(t, err)
		})
	})

	t.Run("SettingEndsWithTransaction", func(t *testing.T) {
		tx, err := b.app.Begin(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(t.Context(), "SELECT set_config('mediastore.owner', 'alice', true)"); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(t.Context()); err != nil {
			t.Fatal(err)
		}
		// The same (only) connection, after the transaction.
		if n := count(t, b.app, "SELECT count(*) FROM "+tbl); n != 0 {
			t.Fatalf("after the transaction the role still sees %d rows", n)
		}
	})

	// After all of it, as the table owner: bob's rows are untouched.
	if n := count(t, b.owner, "SELECT count(*) FROM "+tbl+" WHERE owner = 'bob' AND filename = 'original'"); n != 2 {
		t.Fatalf("bob has %d untouched rows, want 2", n)
	}
	if n := count(t, b.owner, "SELECT count(*) FROM "+tbl); n != 4 {
		t.Fatalf("the table has %d rows, want 4", n)
	}
}

// TestRLSStore checks the store as the restricted role: with RLS on it
// works and is scoped, leaves no setting on the pooled connection, and
// without RLS the policies refuse it everything.
func TestRLSStore(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	b := setupRLS(t)
	s, err := pgstore.New(b.app, &pgstore.Config{Schema: b.schema, RLS: true, SystemPool: b.owner})
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.Get(ctx, &mediastore.GetParams{Owner: "alice", ID: b.alice[0].ID})
	if err != nil || f.Owner != "alice" {
		t.Fatalf("alice's Get = %v, %v", f, err)
	}
	if _, err := s.Get(ctx, &mediastore.GetParams{Owner: "alice", ID: b.bob[0].ID}); !errors.Is(err, mediastore.ErrNotFound) {
		t.Fatalf("alice's Get of bob's row = %v, want ErrNotFound", err)
	}
	res, err := s.List(ctx, &mediastore.ListParams{Owner: "bob", Status: mediastore.StatusReady, Limit: 10})
	if err != nil || len(res.Files) != 2 {
		t.Fatalf("bob lists %d rows (%v), want 2", len(res.Files), err)
	}
	// The setting did not outlive the store's transaction on the pooled
	// (single) connection.
	if n := count(t, b.app, "SELECT count(*) FROM "+b.table); n != 0 {
		t.Fatalf("after store calls the connection sees %d rows, want 0", n)
	}
	// System calls go through the SystemPool, the table owner's.
	if _, err := s.SetStatus(ctx, &mediastore.SetStatusParams{ID: b.bob[0].ID, From: mediastore.StatusReady,
		To: mediastore.StatusDeleting, ExpiresAt: time.Now()}); err != nil {
		t.Fatalf("system SetStatus: %v", err)
	}

	// Without RLS the restricted role gets nothing: the policies, not the
	// queries, are what scope it.
	noRLS, err := pgstore.New(b.app, &pgstore.Config{Schema: b.schema})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := noRLS.Get(ctx, &mediastore.GetParams{Owner: "alice", ID: b.alice[0].ID}); !errors.Is(err, mediastore.ErrNotFound) {
		t.Fatalf("Get without RLS = %v, want ErrNotFound", err)
	}
	_, err = noRLS.Insert(ctx, &mediastore.InsertParams{Owner: "alice", Provider: "disk", Key: "k", Status: mediastore.StatusReady})
	if !errors.Is(err, mediastore.ErrForbidden) {
		t.Fatalf("Insert without RLS = %v, want ErrForbidden", err)
	}
}
