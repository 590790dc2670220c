package pgstore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/store/pgstore"
)

// dropSchemaLater drops a schema that Migrate made, in t's Cleanup.
func dropSchemaLater(t *testing.T, schema string) {
	pool := testdb.Pool(t.Context(), t)
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
}

// relations lists the tables and indexes of schema.
func relations(t *testing.T, schema string) []string {
	t.Helper()
	rows, err := testdb.Pool(t.Context(), t).Query(t.Context(),
		"SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'i') ORDER BY 1", schema)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func TestMigrateConcurrent(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := testdb.Pool(ctx, t)
	schema := testdb.Schema(ctx, t) + "_new" // a schema that does not exist yet
	dropSchemaLater(t, schema)

	const migrators = 8
	var wg sync.WaitGroup
	results := make([]*pgstore.MigrateResult, migrators)
	errs := make([]error, migrators)
	for i := range migrators {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = pgstore.Migrate(ctx, pool, &pgstore.MigrateOpts{Schema: schema})
		}()
	}
	wg.Wait()
	var applied []int
	for i := range migrators {
		if errs[i] != nil {
			t.Fatalf("migrator %d: %v", i, errs[i])
		}
		if results[i].To != pgstore.LatestVersion() {
			t.Fatalf("migrator %d ended at version %d, want %d", i, results[i].To, pgstore.LatestVersion())
		}
		applied = append(applied, results[i].Up...)
	}
	slices.Sort(applied)
	want := []int{}
	for v := 1; v <= pgstore.LatestVersion(); v++ {
		want = append(want, v)
	}
	if !slices.Equal(applied, want) {
		t.Fatalf("versions applied by all migrators together = %v, want each of %v once", applied, want)
	}
	var recorded []int
	rows, err := pool.Query(ctx, "SELECT version FROM "+pgx.Identifier{schema, "mediastore_files_migrations"}.Sanitize()+" ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	if recorded, err = pgx.CollectRows(rows, pgx.RowTo[int]); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recorded, want) {
		t.Fatalf("recorded versions %v, want %v", recorded, want)
	}
}

func TestMigrateDownAndUp(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := testdb.NewPool(ctx, t, testdb.SimpleProtocol) // works through a pooler too
	schema := testdb.Schema(ctx, t)
	tableRLS := func() bool {
		var on bool
		err := pool.QueryRow(ctx, "SELECT relrowsecurity FROM pg_class WHERE oid = $1::regclass",
			pgx.Identifier{schema, "mediastore_files"}.Sanitize()).Scan(&on)
		if err != nil {
			t.Fatal(err)
		}
		return on
	}
	step := func(target int, from, to int, up, down []int) {
		t.Helper()
		res, err := pgstore.Migrate(ctx, pool, &pgstore.MigrateOpts{Schema: schema, TargetVersion: target})
		if err != nil {
			t.Fatalf("Migrate to %d: %v", target, err)
		}
		if res.From != from || res.To != to || !slices.Equal(res.Up, up) || !slices.Equal(res.Down, down) {
			t.Fatalf("Migrate to %d = %+v, want from %d to %d, up %v, down %v", target, res, from, to, up, down)
		}
	}
	step(1, 0, 1, []int{1}, nil)
	if tableRLS() {
		t.Fatal("row level security on at version 1")
	}
	step(0, 1, 2, []int{2}, nil)
	if !tableRLS() {
		t.Fatal("row level security off at version 2")
	}
	step(0, 2, 2, nil, nil) // already there
	step(1, 2, 1, nil, []int{2})
	if tableRLS() {
		t.Fatal("row level security still on after reverting version 2")
	}
	step(-1, 1, 0, nil, []int{1})
	if rels := relations(t, schema); !slices.Equal(rels, []string{"mediastore_files_migrations", "mediastore_files_migrations_pkey"}) {
		t.Fatalf("after reverting everything the schema holds %v", rels)
	}
	step(0, 0, 2, []int{1, 2}, nil)
}

func TestMigrateNames(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := testdb.Pool(ctx, t)
	// Names that need quoting are quoted, not injected.
	schema := testdb.Schema(ctx, t) + `"; DROP SCHEMA public; --`
	dropSchemaLater(t, schema)
	for _, table := range []string{`Media Files`, `files"x`} {
		if _, err := pgstore.Migrate(ctx, pool, &pgstore.MigrateOpts{Schema: schema, Table: table}); err != nil {
			t.Fatalf("Migrate(%q, %q): %v", schema, table, err)
		}
		s, err := pgstore.New(pool, &pgstore.Config{Schema: schema, Table: table})
		if err != nil {
			t.Fatal(err)
		}
		f, err := s.Insert(ctx, &mediastore.InsertParams{Owner: "o", Provider: "disk", Key: "k", Status: mediastore.StatusReady})
		if err != nil {
			t.Fatalf("Insert into %q: %v", table, err)
		}
		if _, err := s.Get(ctx, &mediastore.GetParams{Owner: "o", ID: f.ID}); err != nil {
			t.Fatal(err)
		}
	}
	// Two tables in one schema are independent (same key in both).
	want := []string{
		"Media Files", "Media Files_migrations", "Media Files_migrations_pkey", "Media Files_owner_list_idx",
		"Media Files_owner_type_list_idx", "Media Files_pkey", "Media Files_provider_key_key", "Media Files_sweep_idx",
		`files"x`, `files"x_migrations`, `files"x_migrations_pkey`, `files"x_owner_list_idx`,
		`files"x_owner_type_list_idx`, `files"x_pkey`, `files"x_provider_key_key`, `files"x_sweep_idx`,
	}
	if rels := relations(t, schema); !slices.Equal(rels, want) {
		t.Fatalf("relations = %q,\nwant %q", rels, want)
	}
	var publicExists bool
	if err := pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public')").Scan(&publicExists); err != nil || !publicExists {
		t.Fatalf("schema public gone (%v)", err)
	}
}

func TestMigrateInvalid(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := testdb.Pool(ctx, t)
	for _, opts := range []*pgstore.MigrateOpts{
		{TargetVersion: pgstore.LatestVersion() + 1},
		{TargetVersion: -2},
		{Table: strings.Repeat("t", 41)},
	} {
		if _, err := pgstore.Migrate(ctx, pool, opts); !errors.Is(err, mediastore.ErrInvalid) {
			t.Fatalf("Migrate(%+v) = %v, want ErrInvalid", opts, err)
		}
	}
	if _, err := pgstore.Migrate(ctx, nil, nil); !errors.Is(err, mediastore.ErrInvalid) {
		t.Fatalf("Migrate(nil pool) = %v, want ErrInvalid", err)
	}
	// A database newer than the library is refused.
	schema := testdb.MigratedSchema(ctx, t)
	if _, err := pool.Exec(ctx, "INSERT INTO "+pgx.Identifier{schema, "mediastore_files_migrations"}.Sanitize()+" (version, name) VALUES (999, 'future')"); err != nil {
		t.Fatal(err)
	}
	if _, err := pgstore.Migrate(ctx, pool, &pgstore.MigrateOpts{Schema: schema}); mediastore.KindOf(err) != mediastore.ErrStore || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Migrate of a newer database = %v, want an ErrStore naming the newer version", err)
	}
}

// TestIndexesServeQueries checks with EXPLAIN (sequential scans off, as
// on a big table) that the listing, the sweeper's claim and ScanRows use
// their indexes in order, and that the sweep index is partial.
func TestIndexesServeQueries(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := testdb.Pool(ctx, t)
	schema := testdb.MigratedSchema(ctx, t)
	tbl := pgx.Identifier{schema, "mediastore_files"}.Sanitize()

	var def string
	if err := pool.QueryRow(ctx, "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'mediastore_files_sweep_idx'", schema).Scan(&def); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(def, "WHERE") || !strings.Contains(def, "pending") || !strings.Contains(def, "deleting") {
		t.Fatalf("sweep index is not partial on pending/deleting: %s", def)
	}

	// Keys compare in byte order whatever the database's collation.
	var collation string
	if err := pool.QueryRow(ctx, "SELECT collation_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'mediastore_files' AND column_name = 'key'", schema).Scan(&collation); err != nil || collation != "C" {
		t.Fatalf("key collation = %q (%v), want C", collation, err)
	}

	plans := map[string]string{
		"SELECT * FROM " + tbl + " WHERE owner = 'o' AND status = 'ready' AND (created_at, id) < (now(), gen_random_uuid()) ORDER BY created_at DESC, id DESC LIMIT 21":        "mediastore_files_owner_list_idx",
		"SELECT * FROM " + tbl + " WHERE owner = 'o' AND status = 'ready' AND resource_type = 'image' ORDER BY created_at DESC, id DESC LIMIT 21":                              "mediastore_files_owner_type_list_idx",
		"SELECT * FROM " + tbl + " WHERE provider = 'disk' AND key >= 'a/' AND key < 'a0' AND key > 'a/1' ORDER BY key LIMIT 10":                                               "mediastore_files_provider_key_key",
		"SELECT id FROM " + tbl + " WHERE provider = 'disk' AND status IN ('pending', 'deleting') AND expires_at <= now() ORDER BY expires_at LIMIT 10 FOR UPDATE SKIP LOCKED": "mediastore_files_sweep_idx",
	}
	for sql, index := range plans {
		tx, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
			t.Fatal(err)
		}
		rows, err := tx.Query(ctx, "EXPLAIN "+sql)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		_ = tx.Rollback(ctx)
		if err != nil {
			t.Fatal(err)
		}
		plan := strings.Join(lines, "\n")
		if !strings.Contains(plan, "Index Scan using "+index) || strings.Contains(plan, "Sort") {
			t.Fatalf("plan of\n%s\ndoes not scan %s in order:\n%s", sql, index, plan)
		}
	}
}
