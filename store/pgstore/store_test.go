package pgstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/store/pgstore"
	"github.com/mediastore/mediastore/store/storetest"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// appRole makes a restricted login role (not the owner, no BYPASSRLS)
// and returns it with a pool that connects as it.
func appRole(t *testing.T, configure func(*pgxpool.Config)) (string, *pgxpool.Pool) {
	t.Helper()
	role, url := testdb.Role(t.Context(), t)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 10
	if configure != nil {
		configure(cfg)
	}
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return role, pool
}

// grant gives role what an application needs on the files table of schema.
func grant(t *testing.T, schema, role string) {
	t.Helper()
	s := pgx.Identifier{schema}.Sanitize()
	_, err := testdb.Pool(t.Context(), t).Exec(t.Context(),
		"GRANT USAGE ON SCHEMA "+s+" TO "+role+"; "+
			"GRANT SELECT, INSERT, UPDATE, DELETE ON "+s+".mediastore_files TO "+role)
	if err != nil {
		t.Fatal(err)
	}
}

// TestConformance runs storetest with the default exec mode, with the
// simple protocol (as through a transaction-mode pooler), and both again
// with RLS on for a restricted role whose SystemPool is the table owner's.
func TestConformance(t *testing.T) {
	t.Parallel()
	modes := []struct {
		name      string
		configure func(*pgxpool.Config)
	}{
		{"Default", nil},
		{"SimpleProtocol", testdb.SimpleProtocol},
	}
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			pool := testdb.NewPool(t.Context(), t, func(cfg *pgxpool.Config) {
				cfg.MaxConns = 10
				if mode.configure != nil {
					mode.configure(cfg)
				}
			})
			storetest.Run(t, func(t *testing.T) mediastore.MetadataStore {
				schema := testdb.MigratedSchema(t.Context(), t)
				s, err := pgstore.New(pool, &pgstore.Config{Schema: schema})
				if err != nil {
					t.Fatal(err)
				}
				return s
			})
		})
		t.Run(mode.name+"RLS", func(t *testing.T) {
			t.Parallel()
			role, pool := appRole(t, mode.configure)
			system := testdb.Pool(t.Context(), t)
			storetest.Run(t, func(t *testing.T) mediastore.MetadataStore {
				schema := testdb.MigratedSchema(t.Context(), t)
				grant(t, schema, role)
				s, err := pgstore.New(pool, &pgstore.Config{Schema: schema, RLS: true, SystemPool: system})
				if err != nil {
					t.Fatal(err)
				}
				return s
			})
		})
	}
}

func TestNewInvalid(t *testing.T) {
	t.Parallel()
	if _, err := pgstore.New(nil, nil); !errors.Is(err, mediastore.ErrInvalid) {
		t.Fatalf("New(nil) = %v, want ErrInvalid", err)
	}
	pool := testdb.Pool(t.Context(), t)
	if _, err := pgstore.New(pool, &pgstore.Config{Table: "a_table_name_that_is_far_too_long_for_its_indexes"}); !errors.Is(err, mediastore.ErrInvalid) {
		t.Fatalf("New(long table) = %v, want ErrInvalid", err)
	}
}

func TestContextErrors(t *testing.T) {
	t.Parallel()
	s := testdb.Store(t.Context(), t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := s.Get(ctx, &mediastore.GetParams{Owner: "o", ID: "00000000-0000-4000-8000-000000000000"})
	if !errors.Is(err, context.Canceled) || mediastore.KindOf(err) != mediastore.ErrStore {
		t.Fatalf("Get with a cancelled context = %v, want ErrStore wrapping context.Canceled", err)
	}
}

// TestMissingTable checks that a store whose table was never migrated
// fails with ErrStore, not a panic or a wrong kind.
func TestMissingTable(t *testing.T) {
	t.Parallel()
	schema := testdb.Schema(t.Context(), t)
	s, err := pgstore.New(testdb.Pool(t.Context(), t), &pgstore.Config{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Get(t.Context(), &mediastore.GetParams{Owner: "o", ID: "00000000-0000-4000-8000-000000000000"})
	if mediastore.KindOf(err) != mediastore.ErrStore {
		t.Fatalf("Get on a missing table = %v, want ErrStore", err)
	}
}
