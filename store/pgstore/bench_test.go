package pgstore_test

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/store/pgstore"
)

// BenchmarkInsert compares Store.Insert (with and without RLS) with a raw
// INSERT of the same row on the same pool, to show what the store adds.
//
//	go test -run '^$' -bench Insert ./store/pgstore/
func BenchmarkInsert(b *testing.B) {
	ctx := b.Context()
	pool := testdb.Pool(ctx, b)
	params := func(i int) *mediastore.InsertParams {
		return &mediastore.InsertParams{Owner: "bench", Provider: "disk", Key: b.Name() + "/" + strconv.Itoa(i),
			Status: mediastore.StatusReady, Filename: "f.png", ContentType: "image/png", ResourceType: "image",
			Size: 1234, URL: "https://cdn.example/f.png", Extra: map[string]any{"v": 1}}
	}

	b.Run("RawInsert", func(b *testing.B) {
		schema := testdb.MigratedSchema(ctx, b)
		sql := "INSERT INTO " + pgx.Identifier{schema, "mediastore_files"}.Sanitize() +
			" (owner, provider, key, status, filename, content_type, resource_type, size, url, extra)" +
			" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
		i := 0
		for b.Loop() {
			p := params(i)
			i++
			if _, err := pool.Exec(ctx, sql, p.Owner, p.Provider, p.Key, string(p.Status), p.Filename,
				p.ContentType, p.ResourceType, p.Size, p.URL, p.Extra); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, rls := range []bool{false, true} {
		b.Run("Store/RLS="+strconv.FormatBool(rls), func(b *testing.B) {
			s := testdb.Store(ctx, b, &pgstore.Config{RLS: rls})
			i := 0
			for b.Loop() {
				if _, err := s.Insert(ctx, params(i)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkInsertParallel is BenchmarkInsert with 32 callers per CPU at
// once, the load under which Insert commits its callers in groups.
//
//	go test -run '^$' -bench InsertParallel ./store/pgstore/
func BenchmarkInsertParallel(b *testing.B) {
	ctx := b.Context()
	pool := testdb.NewPool(ctx, b, func(c *pgxpool.Config) { c.MaxConns = 32 })
	var seq atomic.Int64
	params := func() *mediastore.InsertParams {
		return &mediastore.InsertParams{Owner: "bench", Provider: "disk", Key: b.Name() + "/" + strconv.FormatInt(seq.Add(1), 10),
			Status: mediastore.StatusPending, ExpiresAt: time.Now().Add(time.Hour), Filename: "f.png",
			ContentType: "image/png", ResourceType: "image"}
	}

	b.Run("RawInsert", func(b *testing.B) {
		schema := testdb.MigratedSchema(ctx, b)
		sql := "INSERT INTO " + pgx.Identifier{schema, "mediastore_files"}.Sanitize() +
			" (owner, provider, key, status, filename, content_type, resource_type, expires_at)" +
			" VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
		b.SetParallelism(32)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				p := params()
				if _, err := pool.Exec(ctx, sql, p.Owner, p.Provider, p.Key, string(p.Status), p.Filename,
					p.ContentType, p.ResourceType, p.ExpiresAt); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	for _, rls := range []bool{false, true} {
		b.Run("Store/RLS="+strconv.FormatBool(rls), func(b *testing.B) {
			s, err := pgstore.New(pool, &pgstore.Config{Schema: testdb.MigratedSchema(ctx, b), RLS: rls})
			if err != nil {
				b.Fatal(err)
			}
			b.SetParallelism(32)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.Insert(ctx, params()); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
