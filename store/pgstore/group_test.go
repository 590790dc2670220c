package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/store/pgstore"
)

// groupStore is a store of one exec mode (RLS for a restricted role or
// not) over a fresh schema, with the table's name.
type groupStore struct {
	s     *pgstore.Store
	table string
}

// inEachMode runs test in parallel subtests, one per groupModes entry,
// each on a fresh groupStore.
func inEachMode(t *testing.T, test func(t *testing.T, g *groupStore)) {
	t.Helper()
	for _, m := range groupModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			test(t, newGroupStore(t, m.configure, m.rls))
		})
	}
}

// pendings returns n pending intents spread over owners, with keys
// prefix/0, prefix/1, ...
func pendings(n, owners int, prefix string) []*mediastore.InsertParams {
	params := make([]*mediastore.InsertParams, n)
	for i := range params {
		params[i] = pending(fmt.Sprintf("owner%d", i%owners), fmt.Sprintf("%s/%d", prefix, i))
	}
	return params
}

// groupModes are the configurations the group commit tests run in.
var groupModes = []struct {
	name      string
	configure func(*pgxpool.Config)
	rls       bool
}{
	{"Default", nil, false},
	{"SimpleProtocol", testdb.SimpleProtocol, false},
	{"DefaultRLS", nil, true},
	{"SimpleProtocolRLS", testdb.SimpleProtocol, true},
}

func newGroupStore(t *testing.T, configure func(*pgxpool.Config), rls bool) *groupStore {
	t.Helper()
	schema := testdb.MigratedSchema(t.Context(), t)
	var pool *pgxpool.Pool
	if rls {
		var role string
		role, pool = appRole(t, configure)
		grant(t, schema, role)
	} else {
		pool = testdb.NewPool(t.Context(), t, func(c *pgxpool.Config) {
			c.MaxConns = 10
			if configure != nil {
				configure(c)
			}
		})
	}
	s, err := pgstore.New(pool, &pgstore.Config{Schema: schema, RLS: rls, SystemPool: testdb.Pool(t.Context(), t)})
	if err != nil {
		t.Fatal(err)
	}
	return &groupStore{s: s, table: pgx.Identifier{schema, "mediastore_files"}.Sanitize()}
}

// pending is the params of a pending intent of owner at key.
func pending(owner, key string) *mediastore.InsertParams {
	return &mediastore.InsertParams{Owner: owner, Provider: "disk", Key: key, Status: mediastore.StatusPending,
		Filename: key + ".png", ContentType: "image/png", ResourceType: "image", Size: 7,
		Extra: map[string]any{"key": key}, ExpiresAt: time.Now().Add(time.Hour)}
}

// checkRow fails unless f is the row of p.
func checkRow(t *testing.T, f *mediastore.File, p *mediastore.InsertParams) {
	t.Helper()
	if f == nil || f.ID == "" || f.Owner != p.Owner || f.Key != p.Key || f.Filename != p.Filename ||
		f.Status != p.Status || f.Extra["key"] != p.Key {
		t.Errorf("Insert(%s, %s) = %+v, want its own row", p.Owner, p.Key, f)
	}
}

// result is the outcome of one Insert.
type result struct {
	f   *mediastore.File
	err error
}

// insertAll runs one Insert per params at once and returns their outcomes.
func insertAll(ctx context.Context, s *pgstore.Store, params []*mediastore.InsertParams) []result {
	res := make([]result, len(params))
	var wg sync.WaitGroup
	for i, p := range params {
		wg.Go(func() { res[i].f, res[i].err = s.Insert(ctx, p) })
	}
	wg.Wait()
	return res
}

// lockTable holds a SHARE lock on table, which blocks every INSERT, until
// the returned function is called.
func lockTable(t *testing.T, table string) (release func()) {
	t.Helper()
	tx, err := testdb.Pool(t.Context(), t).Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(t.Context(), "LOCK TABLE "+table+" IN SHARE MODE"); err != nil {
		tx.Rollback(t.Context())
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { tx.Rollback(context.WithoutCancel(t.Context())) }) }
	t.Cleanup(release)
	return release
}

// waitInFlight waits until an Insert of s is in flight.
func waitInFlight(t *testing.T, s *pgstore.Store) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !pgstore.InsertInFlight(s) {
		if time.Now().After(deadline) {
			t.Fatal("no Insert in flight")
		}
		time.Sleep(time.Millisecond)
	}
}

// waitQueued waits until n Inserts of s are queued behind the one in flight.
func waitQueued(t *testing.T, s *pgstore.Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for pgstore.QueuedInserts(s) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d Inserts queued, want %d", pgstore.QueuedInserts(s), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// wave runs the Inserts of params at once while table is locked: the
// first goes out alone and blocks, all the others queue behind it; then
// the lock goes and they are committed in batches.
func wave(t *testing.T, g *groupStore, params []*mediastore.InsertParams) []result {
	t.Helper()
	release := lockTable(t, g.table)
	res := make([]result, len(params))
	var wg sync.WaitGroup
	wg.Go(func() { res[0].f, res[0].err = g.s.Insert(t.Context(), params[0]) })
	waitInFlight(t, g.s)
	for i, p := range params[1:] {
		wg.Go(func() { res[i+1].f, res[i+1].err = g.s.Insert(t.Context(), p) })
	}
	waitQueued(t, g.s, len(params)-1)
	release()
	wg.Wait()
	return res
}

// TestInsertConcurrent: 200 Inserts at once of 7 owners, in every exec
// mode with and without RLS, each get their own row, and the rows are
// there for their owner.
func TestInsertConcurrent(t *testing.T) {
	t.Parallel()
	inEachMode(t, func(t *testing.T, g *groupStore) {
		params := pendings(200, 7, "k")
		for i, r := range insertAll(t.Context(), g.s, params) {
			if r.err != nil {
				t.Fatalf("Insert %d: %v", i, r.err)
			}
			checkRow(t, r.f, params[i])
			got, err := g.s.Get(t.Context(), &mediastore.GetParams{Owner: params[i].Owner, ID: r.f.ID})
			if err != nil || got.Key != params[i].Key {
				t.Fatalf("Get of inserted row %d = %v, %v", i, got, err)
			}
		}
	})
}

// TestInsertGroupCommit checks that Inserts that wait behind one in
// flight are committed together: the 30 queued rows share one
// transaction, and all 31 rows are right.
func TestInsertGroupCommit(t *testing.T) {
	t.Parallel()
	inEachMode(t, func(t *testing.T, g *groupStore) {
		params := pendings(31, 3, "g")
		for i, r := range wave(t, g, params) {
			if r.err != nil {
				t.Fatalf("Insert %d: %v", i, r.err)
			}
			checkRow(t, r.f, params[i])
		}
		var rows, txs int
		if err := testdb.Pool(t.Context(), t).QueryRow(t.Context(),
			"SELECT count(*), count(DISTINCT xmin::text) FROM "+g.table+" WHERE key <> 'g/0'").Scan(&rows, &txs); err != nil {
			t.Fatal(err)
		}
		if rows != 30 || txs != 1 {
			t.Fatalf("the 30 queued inserts made %d rows in %d transactions, want 30 in 1", rows, txs)
		}
	})
}

// TestInsertGroupConflicts: in waves where some Inserts reuse the
// (provider, key) of an existing row, exactly those get ErrConflict and
// the others, committed in the same batches, succeed.
func TestInsertGroupConflicts(t *testing.T) {
	t.Parallel()
	inEachMode(t, func(t *testing.T, g *groupStore) {
		for i := range 5 {
			if _, err := g.s.Insert(t.Context(), pending("first", fmt.Sprintf("dup/%d", i))); err != nil {
				t.Fatal(err)
			}
		}
		params := make([]*mediastore.InsertParams, 150)
		conflict := make([]bool, len(params))
		for i := range params {
			key := fmt.Sprintf("c/%d", i)
			if i%30 == 7 {
				key, conflict[i] = fmt.Sprintf("dup/%d", i%5), true
			}
			params[i] = pending(fmt.Sprintf("owner%d", i%4), key)
		}
		var conflicts int
		for i, r := range wave(t, g, params) {
			switch {
			case conflict[i]:
				conflicts++
				if !errors.Is(r.err, mediastore.ErrConflict) {
					t.Errorf("Insert %d of a taken key = %v, %v; want ErrConflict", i, r.f, r.err)
				}
			case r.err != nil:
				t.Errorf("Insert %d failed with another's conflict: %v", i, r.err)
			default:
				checkRow(t, r.f, params[i])
			}
		}
		if conflicts == 0 {
			t.Fatal("no conflicting insert")
		}
		var n int
		if err := testdb.Pool(t.Context(), t).QueryRow(t.Context(), "SELECT count(*) FROM "+g.table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if want := 5 + len(params) - conflicts; n != want {
			t.Fatalf("%d rows, want %d", n, want)
		}
	})
}

// TestInsertGroupRLS: with RLS, the rows of different owners committed in
// one batch each land with their owner and only that owner sees them.
func TestInsertGroupRLS(t *testing.T) {
	t.Parallel()
	for _, configure := range []func(*pgxpool.Config){nil, testdb.SimpleProtocol} {
		g := newGroupStore(t, configure, true)
		owners := []string{"alice", "bob", "carol"}
		params := make([]*mediastore.InsertParams, 40)
		for i := range params {
			params[i] = pending(owners[i%len(owners)], fmt.Sprintf("r/%d", i))
		}
		for i, r := range wave(t, g, params) {
			if r.err != nil {
				t.Fatalf("Insert %d: %v", i, r.err)
			}
			checkRow(t, r.f, params[i])
			for _, other := range owners {
				_, err := g.s.Get(t.Context(), &mediastore.GetParams{Owner: other, ID: r.f.ID})
				if other == params[i].Owner && err != nil {
					t.Fatalf("%s's Get of her row: %v", other, err)
				}
				if other != params[i].Owner && !errors.Is(err, mediastore.ErrNotFound) {
					t.Fatalf("%s's Get of %s's row = %v, want ErrNotFound", other, params[i].Owner, err)
				}
			}
		}
		for _, o := range owners {
			want := 0
			for _, p := range params {
				if p.Owner == o {
					want++
				}
			}
			var n int
			if err := testdb.Pool(t.Context(), t).QueryRow(t.Context(),
				"SELECT count(*) FROM "+g.table+" WHERE owner = $1", o).Scan(&n); err != nil {
				t.Fatal(err)
			}
			res, err := g.s.List(t.Context(), &mediastore.ListParams{Owner: o, Status: mediastore.StatusPending, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if n != want || len(res.Files) != want {
				t.Fatalf("%s: %d rows, %d listed, want %d", o, n, len(res.Files), want)
			}
			for _, f := range res.Files {
				if f.Owner != o {
					t.Fatalf("%s lists a row of %s", o, f.Owner)
				}
			}
		}
	}
}

// TestInsertCancelQueued: a queued caller whose ctx ends returns its
// error at once, while the batch ahead is still blocked, its insert is
// not sent, and the others succeed.
func TestInsertCancelQueued(t *testing.T) {
	t.Parallel()
	g := newGroupStore(t, nil, false)
	release := lockTable(t, g.table)
	var wg sync.WaitGroup
	res := make([]result, 20)
	params := make([]*mediastore.InsertParams, len(res))
	for i := range params {
		params[i] = pending("o", fmt.Sprintf("q/%d", i))
	}
	wg.Go(func() { res[0].f, res[0].err = g.s.Insert(t.Context(), params[0]) })
	waitInFlight(t, g.s)
	// The cancelled caller queues first, so that it would lead the batch.
	ctx, cancel := context.WithCancel(t.Context())
	cancelled := make(chan error, 1)
	go func() {
		_, err := g.s.Insert(ctx, params[1])
		cancelled <- err
	}()
	waitQueued(t, g.s, 1)
	for i := 2; i < len(params); i++ {
		wg.Go(func() { res[i].f, res[i].err = g.s.Insert(t.Context(), params[i]) })
	}
	waitQueued(t, g.s, len(params)-1)
	cancel()
	select {
	case err := <-cancelled:
		if !errors.Is(err, context.Canceled) || mediastore.KindOf(err) != mediastore.ErrStore {
			t.Fatalf("cancelled Insert = %v, want ErrStore wrapping context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the cancelled Insert still waits for the batch ahead")
	}
	release()
	wg.Wait()
	for i, r := range res {
		if i == 1 {
			continue
		}
		if r.err != nil {
			t.Fatalf("Insert %d: %v", i, r.err)
		}
		checkRow(t, r.f, params[i])
	}
	if _, err := g.s.GetByKey(t.Context(), &mediastore.GetByKeyParams{Owner: "o", Provider: "disk", Key: params[1].Key}); !errors.Is(err, mediastore.ErrNotFound) {
		t.Fatalf("GetByKey of the cancelled insert = %v, want ErrNotFound (dropped)", err)
	}
}

// TestInsertCancelInFlight: the caller whose insert is in flight gives up;
// the inserts queued behind it still go out and succeed.
func TestInsertCancelInFlight(t *testing.T) {
	t.Parallel()
	g := newGroupStore(t, nil, false)
	release := lockTable(t, g.table)
	ctx, cancel := context.WithCancel(t.Context())
	first := make(chan error, 1)
	go func() {
		_, err := g.s.Insert(ctx, pending("o", "f/0"))
		first <- err
	}()
	waitInFlight(t, g.s)
	params := make([]*mediastore.InsertParams, 10)
	for i := range params {
		params[i] = pending("o", fmt.Sprintf("f/%d", i+1))
	}
	done := make(chan []result)
	go func() { done <- insertAll(t.Context(), g.s, params) }()
	waitQueued(t, g.s, len(params))
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Insert = %v, want context.Canceled", err)
	}
	release()
	for i, r := range <-done {
		if r.err != nil {
			t.Fatalf("Insert %d: %v", i, r.err)
		}
		checkRow(t, r.f, params[i])
	}
}

// TestInsertRandomCancels: under load, callers whose contexts end at
// random moments (queued, leading or in flight) fail no one else, and
// every Insert returns.
func TestInsertRandomCancels(t *testing.T) {
	t.Parallel()
	for _, m := range groupModes[:2] {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			g := newGroupStore(t, m.configure, false)
			var wg sync.WaitGroup
			errs := make(chan error, 400)
			for i := range 400 {
				wg.Go(func() {
					ctx := t.Context()
					cancellable := i%3 == 0
					if cancellable {
						var cancel context.CancelFunc
						ctx, cancel = context.WithTimeout(ctx, time.Duration(rand.IntN(3000))*time.Microsecond)
						defer cancel()
					}
					p := pending(fmt.Sprintf("owner%d", i%5), fmt.Sprintf("x/%d", i))
					f, err := g.s.Insert(ctx, p)
					switch {
					case err == nil:
						if f.Key != p.Key || f.Owner != p.Owner {
							errs <- fmt.Errorf("Insert %d got row %s/%s", i, f.Owner, f.Key)
						}
					case !cancellable:
						errs <- fmt.Errorf("Insert %d: %w", i, err)
					case !errors.Is(err, context.DeadlineExceeded):
						errs <- fmt.Errorf("Insert %d with a timeout: %w", i, err)
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if n := pgstore.QueuedInserts(g.s); n != 0 {
				t.Fatalf("%d Inserts left in the queue", n)
			}
		})
	}
}

// holdKey inserts a row at key in a transaction that stays open, so that
// an INSERT of the same key blocks, until the returned function rolls it
// back.
func holdKey(t *testing.T, table, key string) (release func()) {
	t.Helper()
	tx, err := testdb.Pool(t.Context(), t).Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(t.Context(), "INSERT INTO "+table+" (owner, provider, key, status) VALUES ('holder', 'disk', $1, 'ready')", key); err != nil {
		tx.Rollback(t.Context())
		t.Fatal(err)
	}
	var once sync.Once
	release = func() { once.Do(func() { tx.Rollback(context.WithoutCancel(t.Context())) }) }
	t.Cleanup(release)
	return release
}

// TestInsertCancelLeader: the caller that sends a batch gives up while the
// batch is in flight (blocked on a key another transaction holds); the
// batch is not cancelled with it but commits, as one transaction, every
// insert in it.
func TestInsertCancelLeader(t *testing.T) {
	t.Parallel()
	g := newGroupStore(t, nil, false)
	release1 := holdKey(t, g.table, "held/1")
	release2 := holdKey(t, g.table, "held/2")
	first := make(chan error, 1)
	go func() {
		_, err := g.s.Insert(t.Context(), pending("o", "held/1"))
		first <- err
	}()
	waitInFlight(t, g.s)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var leader result
	var wg sync.WaitGroup
	wg.Go(func() { leader.f, leader.err = g.s.Insert(ctx, pending("o", "lead")) })
	waitQueued(t, g.s, 1)
	params := []*mediastore.InsertParams{pending("o", "held/2")}
	for i := range 8 {
		params = append(params, pending("o", fmt.Sprintf("l/%d", i)))
	}
	done := make(chan []result)
	go func() { done <- insertAll(t.Context(), g.s, params) }()
	waitQueued(t, g.s, 1+len(params))
	release1()
	if err := <-first; err != nil {
		t.Fatalf("first Insert: %v", err)
	}
	// The cancellable caller now sends the batch, which waits for held/2.
	waitQueued(t, g.s, 0)
	cancel()
	time.Sleep(50 * time.Millisecond)
	release2()
	wg.Wait()
	for i, r := range <-done {
		if r.err != nil {
			t.Fatalf("Insert %d: %v", i, r.err)
		}
		checkRow(t, r.f, params[i])
	}
	var rows, txs int
	if err := testdb.Pool(t.Context(), t).QueryRow(t.Context(),
		"SELECT count(*), count(DISTINCT xmin::text) FROM "+g.table+" WHERE key <> 'held/1'").Scan(&rows, &txs); err != nil {
		t.Fatal(err)
	}
	if rows != 1+len(params) || txs != 1 {
		t.Fatalf("the batch made %d rows in %d transactions, want %d in 1 (the leader's end cancelled it?)", rows, txs, 1+len(params))
	}
	// Its own insert was committed, and it says so.
	if leader.err != nil || leader.f == nil || leader.f.Key != "lead" {
		t.Fatalf("the leader's Insert = %v, %v; want its committed row", leader.f, leader.err)
	}
}
