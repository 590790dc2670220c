package mediastore

import (
	"cmp"
	"context"
	"errors"
	"strings"
	"time"
)

// ReconcileOptions configures [Client.Reconcile].
type ReconcileOptions struct {
	// Prefix limits the comparison to keys that start with it.
	Prefix string
	// DeleteOrphans deletes the objects no row knows that are older than
	// Grace. Without it Reconcile is a dry run that only reports.
	DeleteOrphans bool
	// Grace protects young objects, which may belong to an upload whose
	// row is being written. Defaults to Config.PendingTTL.
	Grace time.Duration
}

// ReconcileReport is what [Client.Reconcile] found.
type ReconcileReport struct {
	// Objects and Rows are how many of each were compared.
	Objects, Rows int
	// Orphans are objects that no row knows, older than the grace period.
	Orphans []*Object
	// Young counts objects without a row that are within the grace period.
	Young int
	// Dangling are ready rows whose object is gone.
	Dangling []*File
	// Deleted counts the orphans deleted (with DeleteOrphans).
	Deleted int
}

// Reconcile compares the provider's listing with the store's rows and
// reports objects that no row knows and ready rows whose object is gone;
// with opts.DeleteOrphans it deletes the orphans older than opts.Grace. It
// needs a provider that is a [Lister] and a store that is a [RowScanner],
// and returns an ErrUnsupported error otherwise.
//
// It holds the keys of one side in memory: for very large buckets, run it
// per Prefix. Rows created and objects written after it starts are not
// judged, so it is safe beside live traffic.
func (c *Client) Reconcile(ctx context.Context, opts *ReconcileOptions) (*ReconcileReport, error) {
	const op = "Reconcile"
	scanner, ok := c.s.(RowScanner)
	if c.lister == nil || !ok {
		return nil, c.errorf(op, "", ErrUnsupported, errors.New("needs a listing provider and a scanning store"))
	}
	var o ReconcileOptions
	if opts != nil {
		o = *opts
	}
	if o.Grace < 0 {
		return nil, c.errorf(op, "", ErrInvalid, errors.New("negative grace period"))
	}
	o.Grace = cmp.Or(o.Grace, c.cfg.PendingTTL)
	start := c.now()

	// Every row's key, whatever its status: a pending or deleting row
	// accounts for its object too.
	known := map[string]bool{}
	var ready []*File
	after := ""
	rep := &ReconcileReport{}
	for {
		rows, err := scanner.ScanRows(ctx, &ScanParams{Provider: c.p.Name(), Prefix: o.Prefix, AfterKey: after, Limit: 1000})
		if err != nil {
			return nil, c.wrap(op, "", ErrStore, err)
		}
		for _, f := range rows {
			known[f.Key] = true
			rep.Rows++
			if f.Status == StatusReady && f.CreatedAt.Before(start) {
				ready = append(ready, f)
			}
		}
		if len(rows) < 1000 {
			break
		}
		after = rows[len(rows)-1].Key
	}

	present := map[string]bool{}
	for obj, err := range c.lister.ListObjects(ctx, o.Prefix) {
		if err != nil {
			return nil, c.wrap(op, "", ErrProvider, err)
		}
		if !strings.HasPrefix(obj.Key, o.Prefix) {
			continue
		}
		rep.Objects++
		present[obj.Key] = true
		if known[obj.Key] {
			continue
		}
		if !obj.ModTime.IsZero() && start.Sub(obj.ModTime) < o.Grace {
			rep.Young++
			continue
		}
		rep.Orphans = append(rep.Orphans, obj)
	}
	for _, f := range ready {
		if present[f.Key] {
			continue
		}
		// Not listed: make sure, since a listing is not a snapshot.
		if _, err := c.p.Stat(ctx, f.Key); err == nil {
			continue
		} else if !errors.Is(err, ErrNotFound) {
			return nil, c.wrap(op, f.Key, ErrProvider, err)
		}
		// The object is gone. A delete tombstones the row before it
		// deletes the object, so a row deleted, or no longer ready, since
		// the scan belongs to a delete that ran meanwhile.
		now, err := c.s.GetByKey(ctx, &GetByKeyParams{Owner: f.Owner, Provider: c.p.Name(), Key: f.Key})
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return nil, c.wrap(op, f.Key, ErrStore, err)
		case now.ID == f.ID && now.Status == StatusReady:
			rep.Dangling = append(rep.Dangling, now)
		}
	}
	if o.DeleteOrphans {
		for _, obj := range rep.Orphans {
			if err := c.p.Delete(ctx, obj.Key); err != nil {
				return rep, c.wrap(op, obj.Key, ErrProvider, err)
			}
			rep.Deleted++
		}
	}
	return rep, nil
}
