// Package pgstore is a [mediastore.MetadataStore] on PostgreSQL, through
// pgx/v5's pgxpool.
//
//	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
//	...
//	if _, err := pgstore.Migrate(ctx, pool, nil); err != nil { ... }
//	store, err := pgstore.New(pool, nil)
//	client, err := mediastore.New(provider, store, nil)
//
// # The table
//
// One table for the files of every provider, "mediastore_files" in schema
// "public" unless [Config] and [MigrateOpts] name others: a uuid primary
// key (gen_random_uuid, built into PostgreSQL 13 and later), owner,
// provider, key, status (pending, ready, deleting), what the provider
// reported, a jsonb of provider extras, and created_at, updated_at,
// expires_at. (provider, key) is unique, and keys compare in byte order
// (COLLATE "C") whatever the database's collation, which also serves
// [Store.ScanRows], the [mediastore.RowScanner] of [mediastore.Client.Reconcile]. The owner listing is served by a
// keyset index on (owner, status, created_at DESC, id DESC), and one with
// resource_type for the filtered listing; the sweeper's claims by a
// partial index on (provider, expires_at) of the pending and deleting
// rows only, so its work is proportional to the work, not to the table.
//
// # Migrations
//
// The SQL lives in migration/NNN_name.up.sql and .down.sql, embedded in
// the binary. [Migrate] applies them up (or down, with
// [MigrateOpts.TargetVersion]) one transaction per version; each
// transaction first takes pg_advisory_xact_lock on a key derived from the
// schema and table, re-reads the version from <table>_migrations, and
// records the version it applied. Any number of processes may migrate at
// start-up at once: one applies each version, the others wait and find it
// done. Schema and table names are quoted as identifiers, never spliced in
// raw. Run Migrate as the role that should own the table.
//
// # Row Level Security
//
// The migrations enable (not force) Row Level Security with one policy:
// a row is visible to, and may be written by, a role only when its owner
// equals current_setting('mediastore.owner', true). The table owner and
// roles with BYPASSRLS are not filtered. To make the database itself keep
// owners apart, even against a bug in a query:
//
//	-- as the table owner (the role that ran Migrate):
//	CREATE ROLE app LOGIN PASSWORD '...';          -- not the owner, no BYPASSRLS
//	GRANT USAGE ON SCHEMA public TO app;
//	GRANT SELECT, INSERT, UPDATE, DELETE ON public.mediastore_files TO app;
//
// then connect the application pool as app and turn on [Config.RLS]:
//
//	store, err := pgstore.New(appPool, &pgstore.Config{RLS: true, SystemPool: ownerPool})
//
// With RLS on, every owner-scoped call runs in one transaction that first
// does SELECT set_config('mediastore.owner', $1, true); the setting ends
// with the transaction, so a pooled connection never carries it to the
// next caller. Calls that are not owner-scoped (the sweeper's
// ClaimExpired, and SetStatus and Delete with an empty Owner) go to
// [Config.SystemPool]: give it a pool of the table owner or of a BYPASSRLS
// role, or under RLS they see no rows. Without RLS the app role would see
// nothing at all, which is the point: the policies, not the queries, are
// the last line.
//
// # Poolers (Neon's pooled URL, PgBouncer)
//
// The store keeps no session state outside a transaction: no session
// settings (the owner setting is transaction-local), no session advisory
// locks (Migrate's lock is transaction-scoped), no reliance on prepared
// statements. Each call is one statement, or with RLS one batch of
// set_config plus the statement, sent in a single round trip and run as
// one transaction. Through a transaction-mode pooler that does not keep
// prepared statements (Neon's "-pooler" host, PgBouncer before 1.21),
// use the simple protocol:
//
//	cfg, err := pgxpool.ParseConfig(os.Getenv("DATABASE_URL")) // ...-pooler.../db?sslmode=require
//	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
//	pool, err := pgxpool.NewWithConfig(ctx, cfg)
//
// (or add default_query_exec_mode=simple_protocol to the URL). The
// conformance suite runs in both modes. Run Migrate through the pooler or
// through Neon's direct URL; either works, since it also holds its lock
// only inside transactions.
//
// # Errors
//
// Database errors are translated once: no row is ErrNotFound, a unique
// violation (a taken (provider, key)) ErrConflict, a data or check error
// ErrInvalid, a privilege or policy refusal ErrForbidden, anything else
// (including a cancelled context, which stays in the chain) ErrStore.
package pgstore
