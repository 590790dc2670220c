package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mediastore/mediastore/internal/pglocal"
	"github.com/mediastore/mediastore/store/pgstore"
)

// benchEnv holds the services of a run. The parent starts them once and
// hands their addresses to the children through the environment.
type benchEnv struct {
	parent bool
	dbURL  string
	pg     *pglocal.Server
	pool   *pgxpool.Pool
	dir    string
	extra  []func()
}

func setupParent() (*benchEnv, error) {
	ctx := context.Background()
	env := &benchEnv{parent: true, dbURL: os.Getenv("MEDIASTORE_TEST_DATABASE_URL")}
	if env.dbURL == "" {
		srv, err := pglocal.Start(ctx, nil)
		if err != nil {
			return nil, err
		}
		env.pg, env.dbURL = srv, srv.URL()
	}
	pool, err := pgxpool.New(ctx, env.dbURL)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	if _, err := pgstore.Migrate(ctx, pool, nil); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "mediastore-bench-")
	if err != nil {
		return nil, err
	}
	env.dir = dir
	if err := setupS3Parent(env); err != nil {
		return nil, err
	}
	return env, nil
}

func (e *benchEnv) childEnv() []string {
	out := []string{"BENCH_DATABASE_URL=" + e.dbURL, "BENCH_DIR=" + e.dir}
	return append(out, s3ChildEnv()...)
}

func setupChild() (*benchEnv, error) {
	env := &benchEnv{dbURL: os.Getenv("BENCH_DATABASE_URL"), dir: os.Getenv("BENCH_DIR")}
	if env.dbURL == "" || env.dir == "" {
		return nil, fmt.Errorf("child without BENCH_DATABASE_URL/BENCH_DIR")
	}
	return env, nil
}

// db returns a pool, opened on first use.
func (e *benchEnv) db(ctx context.Context) (*pgxpool.Pool, error) {
	if e.pool == nil {
		p, err := pgxpool.New(ctx, e.dbURL)
		if err != nil {
			return nil, err
		}
		e.pool = p
	}
	return e.pool, nil
}

func (e *benchEnv) close() {
	for _, f := range e.extra {
		f()
	}
	if e.pool != nil {
		e.pool.Close()
	}
	if e.pg != nil {
		e.pg.Close()
	}
	if e.parent && e.dir != "" {
		os.RemoveAll(e.dir)
	}
}

// stream is a deterministic generator of n bytes: a random 1 MiB block
// repeated, so producing it costs next to nothing next to the work measured.
// It starts with a PNG signature so that sniffing says image/png.
type stream struct {
	block []byte
	off   int
	left  int64
}

var block = func() []byte {
	b := make([]byte, 1<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	copy(b, "\x89PNG\r\n\x1a\n")
	return b
}()

func newStream(n int64) *stream { return &stream{block: block, left: n} }

func (s *stream) Read(p []byte) (int, error) {
	if s.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > s.left {
		p = p[:s.left]
	}
	n := 0
	for n < len(p) {
		k := copy(p[n:], s.block[s.off:])
		n += k
		s.off = (s.off + k) % len(s.block)
	}
	s.left -= int64(n)
	return n, nil
}
