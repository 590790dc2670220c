package pgstore

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/mediastore/mediastore"
)

// Group commit of Insert. The first Insert that finds no batch in flight
// leads: it sends its insert at once, alone, on its own context. Inserts
// that arrive meanwhile queue. When the leader's batch returns, it hands
// the lead to the first live queued caller and returns its own result;
// that caller sends everything queued (up to maxGroup, itself first) as
// one pgx.Batch, and so on until the queue is empty. A leader is always a
// member of the batch it sends, so no caller waits past its own result
// and no goroutine is started.

// maxGroup caps the inserts of one batch.
const maxGroup = 64

// groupTimeout bounds a batch of several callers, which runs on a context
// detached from all of them so that no caller's end fails the others.
const groupTimeout = 30 * time.Second

// inserter is the queue of a Store's Inserts. Its zero value is ready.
type inserter struct {
	mu    sync.Mutex
	busy  bool // a leader exists: one caller is leading or handed the lead
	queue []*waiter
}

// waitState is where a queued insert is; guarded by inserter.mu.
type waitState int

const (
	queued  waitState = iota // in the queue
	leading                  // in the queue, handed the lead
	taken                    // in a batch that is being sent
	left                     // out of the queue, not sent: its caller gave up
)

// waiter is one Insert call in the group commit.
type waiter struct {
	ctx   context.Context
	owner string
	args  []any // built by the caller, so the leader never reads its params
	state waitState

	lead chan struct{} // receives once when the lead is handed over
	done chan struct{} // closed when f, err and retry are final

	f     *mediastore.File
	err   error
	retry bool // the batch failed: the caller runs its insert alone
}

// insertArgs are the parameters of the insert statement for p.
func insertArgs(p *mediastore.InsertParams) []any {
	return []any{p.Owner, p.Provider, p.Key, string(p.Status), p.Filename, p.ContentType,
		p.ResourceType, p.Size, p.SHA256, p.URL, jsonArg(p.Extra), timeArg(p.ExpiresAt)}
}

// insertOne is the single-insert path: one statement (after set_config
// with RLS) on ctx.
func (s *Store) insertOne(ctx context.Context, owner string, args []any) (*mediastore.File, error) {
	return one(s.query(ctx, owner, s.q.insert, args...))
}

// groupInsert inserts the row of p, alone or in a batch with the Inserts
// of other callers; it returns the database's error, uninterpreted.
func (s *Store) groupInsert(ctx context.Context, p *mediastore.InsertParams) (*mediastore.File, error) {
	w := &waiter{ctx: ctx, owner: p.Owner, args: insertArgs(p),
		lead: make(chan struct{}, 1), done: make(chan struct{})}
	g := &s.ins
	g.mu.Lock()
	g.queue = append(g.queue, w)
	first := !g.busy
	if first {
		g.busy, w.state = true, leading
	}
	g.mu.Unlock()
	if !first {
		select {
		case <-w.done:
			return s.result(w)
		case <-w.lead:
		case <-ctx.Done():
			g.mu.Lock()
			switch w.state {
			case queued:
				g.remove(w)
				w.state = left
			case leading:
				g.remove(w)
				w.state = left
				g.handOff()
			case taken:
				// Sent or being sent: its row may yet be committed.
			}
			g.mu.Unlock()
			return nil, ctx.Err()
		}
	}
	return s.lead(w)
}

// lead sends the batch that w, handed the lead, heads: w and the live
// queued inserts after it. It hands the lead on before it returns.
func (s *Store) lead(w *waiter) (*mediastore.File, error) {
	g := &s.ins
	g.mu.Lock()
	g.remove(w)
	if err := w.ctx.Err(); err != nil {
		w.state = left
		g.handOff()
		g.mu.Unlock()
		return nil, err
	}
	w.state = taken
	batch := []*waiter{w}
	n := 0
	for ; n < len(g.queue) && len(batch) < maxGroup; n++ {
		o := g.queue[n]
		if o.ctx.Err() != nil {
			o.state = left
			continue
		}
		o.state = taken
		batch = append(batch, o)
	}
	g.drop(n)
	g.mu.Unlock()

	// Until send says otherwise, every insert of the batch is retried
	// alone: a panic in send fails no one else's insert nor the queue.
	for _, o := range batch {
		o.retry = true
	}
	func() {
		defer func() {
			g.mu.Lock()
			g.handOff()
			g.mu.Unlock()
			for _, o := range batch[1:] {
				close(o.done)
			}
		}()
		s.send(batch)
	}()
	return s.result(w)
}

// send runs batch and sets the outcome of each of its inserts. A batch of
// one is the single-insert path on its caller's context; a larger one is
// one pgx.Batch, one round trip and one implicit transaction, which fails
// as a whole when any statement fails: then every insert is retried.
func (s *Store) send(batch []*waiter) {
	if len(batch) == 1 {
		w := batch[0]
		w.f, w.err = s.insertOne(w.ctx, w.owner, w.args)
		w.retry = false
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(batch[0].ctx), groupTimeout)
	defer cancel()
	rows := make([][]fileRow, len(batch))
	b := &pgx.Batch{}
	for i, w := range batch {
		if s.rls {
			b.Queue(setOwner, w.owner)
		}
		b.Queue(s.q.insert, w.args...).Query(func(r pgx.Rows) error {
			var err error
			rows[i], err = pgx.CollectRows(r, pgx.RowToStructByName[fileRow])
			return err
		})
	}
	// Every owner is set (Insert requires one), so s.pool serves them all,
	// as poolFor would.
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return
	}
	for i, w := range batch {
		if len(rows[i]) == 1 {
			w.f, w.err = rows[i][0].file(), nil
		} else {
			w.f, w.err = nil, pgx.ErrNoRows
		}
		w.retry = false
	}
}

// result is w's outcome once final, running its insert alone, on its
// caller's context, when its batch failed.
func (s *Store) result(w *waiter) (*mediastore.File, error) {
	if w.retry {
		return s.insertOne(w.ctx, w.owner, w.args)
	}
	return w.f, w.err
}

// remove takes w out of the queue; g.mu is held.
func (g *inserter) remove(w *waiter) {
	for i, o := range g.queue {
		if o == w {
			copy(g.queue[i:], g.queue[i+1:])
			g.queue[len(g.queue)-1] = nil
			g.queue = g.queue[:len(g.queue)-1]
			return
		}
	}
}

// drop takes the first n waiters out of the queue; g.mu is held.
func (g *inserter) drop(n int) {
	m := copy(g.queue, g.queue[n:])
	clear(g.queue[m:])
	g.queue = g.queue[:m]
}

// handOff gives the lead to the first queued waiter whose caller still
// waits, or ends the lead when there is none; g.mu is held.
func (g *inserter) handOff() {
	n := 0
	for n < len(g.queue) && g.queue[n].ctx.Err() != nil {
		g.queue[n].state = left
		n++
	}
	g.drop(n)
	if len(g.queue) == 0 {
		g.busy = false
		return
	}
	w := g.queue[0]
	w.state = leading
	w.lead <- struct{}{}
}
