package reliability

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/provider/memory"
	"github.com/mediastore/mediastore/store/pgstore"
)

// deleteCounter counts the provider deletes of every key, across the
// providers that share it.
type deleteCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

// countingProvider counts its deletes in a deleteCounter.
type countingProvider struct {
	mediastore.Provider
	counter *deleteCounter
	n       int // this provider's deletes, under counter.mu
}

func (p *countingProvider) Delete(ctx context.Context, key string) error {
	p.counter.mu.Lock()
	p.counter.counts[key]++
	p.n++
	p.counter.mu.Unlock()
	return p.Provider.Delete(ctx, key)
}

// TestSweepersShareWork: two sweepers of two Clients on one store run at
// once over 100,000 expired intents; together they finish every one, and
// no object is deleted twice.
func TestSweepersShareWork(t *testing.T) {
	t.Parallel()
	const n = 100_000
	ctx := t.Context()
	schema := testdb.MigratedSchema(ctx, t)
	pool := testdb.NewPool(ctx, t, func(c *pgxpool.Config) { c.MaxConns = 12 })
	store, err := pgstore.New(pool, &pgstore.Config{Schema: schema})
	must(t, err)

	now := time.Now().UTC().Truncate(time.Microsecond)
	expired := now.Add(-time.Minute)
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{fmt.Sprintf("owner%d", i%97), "memory", fmt.Sprintf("k/%06d.png", i), "pending", expired}
	}
	copied, err := pool.CopyFrom(ctx, pgx.Identifier{schema, "mediastore_files"},
		[]string{"owner", "provider", "key", "status", "expires_at"}, pgx.CopyFromRows(rows))
	if err != nil || copied != n {
		t.Fatalf("COPY: %d rows, %v", copied, err)
	}

	counter := &deleteCounter{counts: make(map[string]int, n)}
	mem := memory.New(nil)
	var provs [2]*countingProvider
	var results [2]*mediastore.SweepResult
	var errs [2]error
	var wg sync.WaitGroup
	for i := range provs {
		provs[i] = &countingProvider{Provider: mem, counter: counter}
		c := newClient(t, provs[i], store, func() time.Time { return now })
		sw := c.NewSweeper(&mediastore.SweeperConfig{BatchSize: 500, Workers: 6, Timeout: 5 * time.Minute})
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = sw.RunOnce(ctx)
		}()
	}
	wg.Wait()
	for i := range errs {
		if errs[i] != nil || results[i].Failed != 0 {
			t.Fatalf("sweeper %d: %+v, %v", i, results[i], errs[i])
		}
	}
	t.Logf("sweeper 0: %+v, %d deletes; sweeper 1: %+v, %d deletes", results[0], provs[0].n, results[1], provs[1].n)

	if got := results[0].Removed + results[1].Removed; got != n {
		t.Errorf("the sweepers removed %d rows, want %d", got, n)
	}
	if provs[0].n+provs[1].n != n || len(counter.counts) != n {
		t.Errorf("%d + %d provider deletes of %d keys, want %d of %d", provs[0].n, provs[1].n, len(counter.counts), n, n)
	}
	for k, c := range counter.counts {
		if c != 1 {
			t.Errorf("%s deleted %d times", k, c)
		}
	}
	if provs[0].n == 0 || provs[1].n == 0 {
		t.Errorf("one sweeper did all the work: %d and %d deletes", provs[0].n, provs[1].n)
	}
	var left int
	must(t, pool.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{schema, "mediastore_files"}.Sanitize()).Scan(&left))
	if left != 0 {
		t.Errorf("%d rows left", left)
	}
}
