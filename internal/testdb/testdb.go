package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/goleak"

	"github.com/mediastore/mediastore/internal/pglocal"
	"github.com/mediastore/mediastore/store/pgstore"
)

// EnvURL names the variable that points the tests at an existing server.
const EnvURL = "MEDIASTORE_TEST_DATABASE_URL"

// shared is the process-wide server and pool, made on first use.
var shared struct {
	mu     sync.Mutex
	done   bool
	err    error
	url    string
	server *pglocal.Server
	pool   *pgxpool.Pool
	drop   []string // schemas of examples, dropped by Close
}

// setup makes the shared server and pool once; a failure is remembered.
func setup(ctx context.Context) (string, *pgxpool.Pool, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.done {
		return shared.url, shared.pool, shared.err
	}
	shared.done = true
	// The server outlives the test that happens to start it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Minute)
	defer cancel()
	shared.url = os.Getenv(EnvURL)
	if shared.url == "" {
		s, err := pglocal.Start(ctx, nil)
		if err != nil {
			shared.err = err
			return "", nil, err
		}
		shared.server, shared.url = s, s.URL()
	}
	cfg, err := pgxpool.ParseConfig(shared.url)
	if err != nil {
		shared.err = fmt.Errorf("%s: %w", EnvURL, err)
		return "", nil, shared.err
	}
	cfg.MaxConns = 20
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err == nil {
		err = pool.Ping(ctx)
		if err != nil {
			pool.Close()
		}
	}
	if err != nil {
		shared.err = fmt.Errorf("cannot reach the test database: %w", err)
		return "", nil, shared.err
	}
	shared.pool = pool
	return shared.url, pool, nil
}

// fail skips or fails tb for a missing server: a skip with one line,
// unless CI=true or the server exists but fails.
func fail(tb testing.TB, err error) {
	tb.Helper()
	msg := "testdb: " + err.Error()
	if errors.Is(err, pglocal.ErrUnavailable) && os.Getenv("CI") != "true" {
		tb.Skip(msg + " (set " + EnvURL + " to use a server)")
	}
	tb.Fatal(msg)
}

// URL returns the shared server's URL, starting the server on first use.
func URL(ctx context.Context, tb testing.TB) string {
	tb.Helper()
	u, _, err := setup(ctx)
	if err != nil {
		fail(tb, err)
	}
	return u
}

// Pool returns the pool shared by the test process (default exec mode,
// up to 20 connections). Do not close it.
func Pool(ctx context.Context, tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	_, p, err := setup(ctx)
	if err != nil {
		fail(tb, err)
	}
	return p
}

// NewPool opens a pool on the shared server, lets configure adjust its
// config (configure may be nil), and closes it in tb's Cleanup.
func NewPool(ctx context.Context, tb testing.TB, configure func(*pgxpool.Config)) *pgxpool.Pool {
	tb.Helper()
	return newPool(ctx, tb, URL(ctx, tb), configure)
}

func newPool(ctx context.Context, tb testing.TB, u string, configure func(*pgxpool.Config)) *pgxpool.Pool {
	tb.Helper()
	cfg, err := pgxpool.ParseConfig(u)
	if err != nil {
		tb.Fatal(err)
	}
	if configure != nil {
		configure(cfg)
	}
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Close)
	return p
}

// SimpleProtocol is a NewPool configure function that makes the pool use
// pgx.QueryExecModeSimpleProtocol, as through a transaction-mode pooler.
func SimpleProtocol(cfg *pgxpool.Config) {
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
}

// randomName returns prefix followed by 16 random hex digits.
func randomName(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// cleanupCtx bounds the cleanups, which run even when the test's context
// is done.
func cleanupCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
}

// Schema creates an empty schema with a unique name, drops it (with
// everything in it) in tb's Cleanup, and returns its name.
func Schema(ctx context.Context, tb testing.TB) string {
	tb.Helper()
	pool := Pool(ctx, tb)
	name := randomName("test_")
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		tb.Fatalf("testdb: create schema: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := cleanupCtx(ctx)
		defer cancel()
		if _, err := pool.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			tb.Errorf("testdb: drop schema %s: %v", name, err)
		}
	})
	return name
}

// MigratedSchema returns a fresh schema (as [Schema]) holding the pgstore
// files table "mediastore_files" at the latest version.
func MigratedSchema(ctx context.Context, tb testing.TB) string {
	tb.Helper()
	schema := Schema(ctx, tb)
	if _, err := pgstore.Migrate(ctx, Pool(ctx, tb), &pgstore.MigrateOpts{Schema: schema}); err != nil {
		tb.Fatalf("testdb: migrate: %v", err)
	}
	return schema
}

// Store returns a [pgstore.Store] on the shared pool over a fresh migrated
// schema. cfg may be nil; its Schema is replaced by the fresh one, and its
// Table is migrated there.
func Store(ctx context.Context, tb testing.TB, cfg *pgstore.Config) *pgstore.Store {
	tb.Helper()
	var c pgstore.Config
	if cfg != nil {
		c = *cfg
	}
	pool := Pool(ctx, tb)
	c.Schema = Schema(ctx, tb)
	if _, err := pgstore.Migrate(ctx, pool, &pgstore.MigrateOpts{Schema: c.Schema, Table: c.Table}); err != nil {
		tb.Fatalf("testdb: migrate: %v", err)
	}
	s, err := pgstore.New(pool, &c)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// Role creates a LOGIN role with a password that is neither a superuser
// nor the owner of anything and has no BYPASSRLS, and returns its name and
// a URL to connect as it. Grant it what the test needs; it is dropped,
// with its privileges, in tb's Cleanup.
func Role(ctx context.Context, tb testing.TB) (name, roleURL string) {
	tb.Helper()
	pool := Pool(ctx, tb)
	name = randomName("test_role_")
	password := randomName("pw")
	if _, err := pool.Exec(ctx, "CREATE ROLE "+name+" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '"+password+"'"); err != nil {
		tb.Fatalf("testdb: create role: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := cleanupCtx(ctx)
		defer cancel()
		if _, err := pool.Exec(ctx, "DROP OWNED BY "+name); err != nil {
			tb.Errorf("testdb: drop owned by %s: %v", name, err)
		}
		if _, err := pool.Exec(ctx, "DROP ROLE "+name); err != nil {
			tb.Errorf("testdb: drop role %s: %v", name, err)
		}
	})
	u, err := url.Parse(URL(ctx, tb))
	if err != nil {
		tb.Fatal(err)
	}
	u.User = url.UserPassword(name, password)
	return name, u.String()
}

// ExampleSchema is [Schema] for Example functions, which have no
// testing.TB: it returns the shared pool and a fresh empty schema, which
// [Close] drops. An example cannot be skipped: without PostgreSQL it ends
// the test process with one line saying why.
func ExampleSchema(ctx context.Context) (*pgxpool.Pool, string) {
	_, pool, err := setup(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testdb:", err)
		os.Exit(1)
	}
	name := randomName("example_")
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		fmt.Fprintln(os.Stderr, "testdb: create schema:", err)
		os.Exit(1)
	}
	shared.mu.Lock()
	shared.drop = append(shared.drop, name)
	shared.mu.Unlock()
	return pool, name
}

// Close closes the shared pool and stops the server that testdb started
// (not one at MEDIASTORE_TEST_DATABASE_URL). [Main] calls it; call it
// yourself from a TestMain of your own, after m.Run.
func Close() error {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	var err error
	if shared.pool != nil {
		ctx, cancel := cleanupCtx(context.Background())
		for _, name := range shared.drop {
			if _, e := shared.pool.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); e != nil && err == nil {
				err = e
			}
		}
		cancel()
		shared.pool.Close()
		shared.pool = nil
	}
	shared.drop = nil
	if shared.server != nil {
		if e := shared.server.Close(); e != nil && err == nil {
			err = e
		}
		shared.server = nil
	}
	shared.done, shared.err, shared.url = false, nil, ""
	return err
}

// Main runs the tests, stops the shared server, then fails the run if
// goroutines leaked (goleak, with opts). Call it from TestMain, with m or
// a wrapper of it such as tests3.StopAfter(m):
//
//	func TestMain(m *testing.M) { testdb.Main(m) }
func Main(m interface{ Run() int }, opts ...goleak.Option) {
	code := m.Run()
	if err := Close(); err != nil {
		fmt.Fprintln(os.Stderr, "testdb:", err)
		code = 1
	}
	if code == 0 {
		if err := goleak.Find(opts...); err != nil {
			fmt.Fprintln(os.Stderr, "goleak: goroutines leaked:", err)
			code = 1
		}
	}
	os.Exit(code)
}
