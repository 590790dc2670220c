package mediastore

import (
	"cmp"
	"context"
	"errors"
	"sync"
	"time"
)

// SweeperConfig configures a [Sweeper]. The zero value gives the defaults.
type SweeperConfig struct {
	// Interval is the time between passes of Start's loop. Defaults to 1
	// minute.
	Interval time.Duration
	// BatchSize is how many rows one claim takes. Defaults to 100.
	BatchSize int
	// Timeout bounds one pass. Defaults to 30 seconds.
	Timeout time.Duration
	// Lease is how long claimed rows stay out of other sweepers' claims; a
	// sweeper that dies mid-pass releases its rows when the lease ends.
	// Defaults to 5 minutes.
	Lease time.Duration
	// Workers bounds the provider deletes run at once. Defaults to 8.
	Workers int
}

// SweepResult counts what one pass did.
type SweepResult struct {
	// Claimed rows: expired intents and stuck deletes.
	Claimed int
	// Removed rows whose object and row are both gone.
	Removed int
	// Failed rows, left deleting for a later pass.
	Failed int
}

// Sweeper finishes what failures and crashes left: expired pending intents
// (their object, if any, and their row) and deleting tombstones. Any number
// of sweepers may run at once, in one process or many: claims never hand
// the same row to two of them. The work is proportional to the expired
// rows, never a scan of every file.
type Sweeper struct {
	c   *Client
	cfg SweeperConfig

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// NewSweeper returns a sweeper of c's provider and store. A nil cfg means
// the defaults.
func (c *Client) NewSweeper(cfg *SweeperConfig) *Sweeper {
	var sc SweeperConfig
	if cfg != nil {
		sc = *cfg
	}
	sc.Interval = cmp.Or(max(sc.Interval, 0), time.Minute)
	sc.BatchSize = cmp.Or(max(sc.BatchSize, 0), 100)
	sc.Timeout = cmp.Or(max(sc.Timeout, 0), 30*time.Second)
	sc.Lease = cmp.Or(max(sc.Lease, 0), 5*time.Minute)
	sc.Workers = cmp.Or(max(sc.Workers, 0), 8)
	return &Sweeper{c: c, cfg: sc}
}

// RunOnce claims and finishes expired work until none is left or the pass
// times out. It returns what it did; an error means a claim failed (rows
// whose provider delete failed are counted in Failed and retried later).
func (s *Sweeper) RunOnce(ctx context.Context) (*SweepResult, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	res := &SweepResult{}
	for ctx.Err() == nil {
		rows, err := s.c.s.ClaimExpired(ctx, &ClaimParams{
			Provider: s.c.p.Name(), Now: s.c.now(), Limit: s.cfg.BatchSize, Lease: s.cfg.Lease,
		})
		if err != nil {
			return res, s.c.wrap("Sweep", "", ErrStore, err)
		}
		res.Claimed += len(rows)
		s.finish(ctx, rows, res)
		if len(rows) < s.cfg.BatchSize {
			break
		}
	}
	if res.Claimed > 0 {
		s.c.log.Info("mediastore: sweep", "claimed", res.Claimed, "removed", res.Removed, "failed", res.Failed)
	}
	return res, nil
}

// finish deletes the objects of claimed rows, then the rows.
func (s *Sweeper) finish(ctx context.Context, rows []*File, res *SweepResult) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, s.cfg.Workers)
	for _, f := range rows {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			err := s.c.p.Delete(ctx, f.Key)
			if err == nil {
				// The object is gone: finish the row even if the pass is
				// being stopped, rather than leave it for a later pass.
				cctx, cancel := cleanupContext(ctx)
				err = s.c.s.Delete(cctx, &DeleteParams{ID: f.ID, Status: StatusDeleting})
				cancel()
				if errors.Is(err, ErrNotFound) {
					err = nil
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.Failed++
				s.c.log.Warn("mediastore: sweep left a row for a later pass", "id", f.ID, "key", f.Key, "err", err)
				return
			}
			res.Removed++
		}()
	}
	wg.Wait()
}

// Start runs passes every Config.Interval in the background until ctx is
// cancelled or Stop is called. It returns at once; calling it on a running
// sweeper is an error.
func (s *Sweeper) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		return errors.New("mediastore: sweeper already started")
	}
	ctx, s.cancel = context.WithCancel(ctx)
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		t := time.NewTicker(s.cfg.Interval)
		defer t.Stop()
		for {
			if _, err := s.RunOnce(ctx); err != nil && ctx.Err() == nil {
				s.c.log.Warn("mediastore: sweep failed", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return nil
}

// Stop ends the loop started by Start and waits for the pass in progress.
func (s *Sweeper) Stop() {
	s.mu.Lock()
	cancel, done := s.cancel, s.done
	s.cancel, s.done = nil, nil
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}
