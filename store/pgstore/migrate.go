package pgstore

import (
	"bytes"
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"text/template"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/mediastore/mediastore"
)

//go:embed migration/*.sql
var migrationFS embed.FS

// migration is one versioned step, with its SQL still templated.
type migration struct {
	version  int
	name     string
	up, down *template.Template
}

// migrations are the embedded steps, in version order, checked at init.
var migrations = mustLoadMigrations()

func mustLoadMigrations() []migration {
	files, err := fs.Glob(migrationFS, "migration/*.sql")
	if err != nil {
		panic(err)
	}
	byVersion := map[int]*migration{}
	for _, f := range files {
		base := path.Base(f)
		num, rest, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		name, dir, ok2 := strings.Cut(strings.TrimSuffix(rest, ".sql"), ".")
		if !ok || !ok2 || err != nil || v < 1 || (dir != "up" && dir != "down") {
			panic("pgstore: bad migration file name " + base)
		}
		body, err := migrationFS.ReadFile(f)
		if err != nil {
			panic(err)
		}
		tmpl := template.Must(template.New(base).Option("missingkey=error").Parse(string(body)))
		m := byVersion[v]
		if m == nil {
			m = &migration{version: v, name: name}
			byVersion[v] = m
		}
		if dir == "up" {
			m.up = tmpl
		} else {
			m.down = tmpl
		}
	}
	var ms []migration
	for v := 1; v <= len(byVersion); v++ {
		m := byVersion[v]
		if m == nil || m.up == nil || m.down == nil {
			panic("pgstore: migration " + strconv.Itoa(v) + " lacks a file")
		}
		ms = append(ms, *m)
	}
	return ms
}

// LatestVersion is the version of the newest embedded migration.
func LatestVersion() int { return len(migrations) }

// MigrateOpts selects what [Migrate] does. A nil *MigrateOpts means
// defaults.
type MigrateOpts struct {
	// Schema holds the table; it is created when missing. Defaults to
	// "public".
	Schema string
	// Table is the files table. Defaults to "mediastore_files".
	Table string
	// TargetVersion is the version to migrate up or down to: 0 means the
	// latest, -1 removes every migration (down to version 0). Defaults to
	// 0.
	TargetVersion int
}

// MigrateResult reports what [Migrate] did.
type MigrateResult struct {
	// From and To are the versions before and after.
	From, To int
	// Up lists the versions this call applied, in order.
	Up []int
	// Down lists the versions this call reverted, in order.
	Down []int
}

// names holds the safely quoted names of one table's objects.
type names struct {
	Schema    string // quoted schema
	Table     string // quoted schema.table
	Versions  string // quoted schema.table_migrations
	table     string // raw table name, the prefix of the others
	schema    string
	lockKey   int64 // the migration lock of this table
	schemaKey int64 // the lock that serializes making the schema
}

// Name returns the quoted, unqualified name table_suffix, for indexes and
// constraints (which live in the table's schema).
func (n names) Name(suffix string) string {
	return pgx.Identifier{n.table + "_" + suffix}.Sanitize()
}

// maxTable leaves room under PostgreSQL's 63-byte names for the longest
// suffix ("_owner_type_list_idx").
const maxTable = 40

func newNames(op, schema, table string) (names, error) {
	schema = cmp.Or(schema, "public")
	table = cmp.Or(table, "mediastore_files")
	if len(schema) > 63 {
		return names{}, mediastore.NewError(op, "", "", mediastore.ErrInvalid, errors.New("Schema is longer than 63 bytes"))
	}
	if len(table) > maxTable {
		return names{}, mediastore.NewError(op, "", "", mediastore.ErrInvalid, fmt.Errorf("Table is longer than %d bytes", maxTable))
	}
	return names{
		Schema:    pgx.Identifier{schema}.Sanitize(),
		Table:     pgx.Identifier{schema, table}.Sanitize(),
		Versions:  pgx.Identifier{schema, table + "_migrations"}.Sanitize(),
		table:     table,
		schema:    schema,
		lockKey:   lockKey("mediastore.migrate\x00" + schema + "\x00" + table),
		schemaKey: lockKey("mediastore.schema\x00" + schema),
	}, nil
}

// Migrate brings the files table in opts.Schema to opts.TargetVersion.
// Each migration runs in its own transaction that first takes a
// transaction-scoped advisory lock (pg_advisory_xact_lock) on a key derived
// from the schema and table, and records the version in the table
// <Table>_migrations; so any number of processes may call Migrate at once,
// and it works through transaction-mode poolers, where session locks do
// not hold.
func Migrate(ctx context.Context, pool *pgxpool.Pool, opts *MigrateOpts) (*MigrateResult, error) {
	const op = "pgstore.Migrate"
	if pool == nil {
		return nil, mediastore.NewError(op, "", "", mediastore.ErrInvalid, errors.New("pool is nil"))
	}
	var o MigrateOpts
	if opts != nil {
		o = *opts
	}
	n, err := newNames(op, o.Schema, o.Table)
	if err != nil {
		return nil, err
	}
	target := o.TargetVersion
	switch {
	case target == 0:
		target = LatestVersion()
	case target == -1:
		target = 0
	case target < -1 || target > LatestVersion():
		return nil, mediastore.NewError(op, "", "", mediastore.ErrInvalid,
			fmt.Errorf("TargetVersion %d is not between -1 and %d", o.TargetVersion, LatestVersion()))
	}

	res := &MigrateResult{From: -1}
	for {
		done := false
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			cur, err := lockVersion(ctx, tx, n)
			if err != nil {
				return err
			}
			if res.From < 0 {
				res.From = cur
			}
			res.To = cur
			switch {
			case cur < target:
				m := migrations[cur]
				if err := execTemplate(ctx, tx, m.up, n); err != nil {
					return fmt.Errorf("migration %d %s up: %w", m.version, m.name, err)
				}
				if _, err := tx.Exec(ctx, "INSERT INTO "+n.Versions+" (version, name) VALUES ($1, $2)", m.version, m.name); err != nil {
					return err
				}
				res.Up = append(res.Up, m.version)
				res.To = m.version
			case cur > target:
				m := migrations[cur-1]
				if err := execTemplate(ctx, tx, m.down, n); err != nil {
					return fmt.Errorf("migration %d %s down: %w", m.version, m.name, err)
				}
				if _, err := tx.Exec(ctx, "DELETE FROM "+n.Versions+" WHERE version = $1", m.version); err != nil {
					return err
				}
				res.Down = append(res.Down, m.version)
				res.To = m.version - 1
			default:
				done = true
			}
			return nil
		})
		if err != nil {
			return res, interpretError(op, "", "", err)
		}
		if done {
			return res, nil
		}
	}
}

// lockVersion takes the migration lock of n for the transaction, makes
// the schema and the versions table when missing, and returns the current
// version.
func lockVersion(ctx context.Context, tx pgx.Tx, n names) (int, error) {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", n.lockKey); err != nil {
		return 0, err
	}
	var exists bool
	if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", n.schema).Scan(&exists); err != nil {
		return 0, err
	}
	if !exists {
		// Migrators of other tables may make the same schema: serialize
		// on the schema too (always after the table's lock).
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", n.schemaKey); err != nil {
			return 0, err
		}
		if _, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+n.Schema); err != nil {
			return 0, err
		}
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+n.Versions+` (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return 0, err
	}
	var cur int
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM "+n.Versions).Scan(&cur); err != nil {
		return 0, err
	}
	if cur > LatestVersion() {
		return 0, fmt.Errorf("the database is at version %d, newer than this library's %d", cur, LatestVersion())
	}
	return cur, nil
}

// lockKey derives an advisory lock key from s.
func lockKey(s string) int64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return int64(h.Sum64())
}

func execTemplate(ctx context.Context, tx pgx.Tx, t *template.Template, n names) error {
	var b bytes.Buffer
	if err := t.Execute(&b, n); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, b.String())
	return err
}
