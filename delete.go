package mediastore

import (
	"context"
	"errors"
)

// Delete removes owner's file id as a crash-safe state machine: the row is
// marked deleting (a tombstone that hides it at once), the object is
// deleted at the provider (a missing object counts as deleted), then the
// row is deleted. When the provider fails, or the process dies, the row
// stays deleting and the [Sweeper] finishes it after Config.DeleteRetry;
// the error then satisfies errors.Is(err, ErrProvider). Deleting a file
// that is gone is an ErrNotFound error.
func (c *Client) Delete(ctx context.Context, owner, id string) error {
	const op = "Delete"
	f, err := c.Get(ctx, owner, id)
	if err != nil {
		return err
	}
	f, err = c.s.SetStatus(ctx, &SetStatusParams{ID: f.ID, Owner: owner, From: StatusReady, To: StatusDeleting,
		ExpiresAt: c.expiry(c.cfg.DeleteRetry)})
	if errors.Is(err, ErrConflict) {
		return c.errorf(op, id, ErrNotFound, nil) // another delete won
	}
	if err != nil {
		return c.wrap(op, id, ErrStore, err)
	}
	if err := c.p.Delete(ctx, f.Key); err != nil {
		return c.wrap(op, f.Key, ErrProvider, err)
	}
	err = c.s.Delete(ctx, &DeleteParams{ID: f.ID, Owner: owner, Status: StatusDeleting})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return c.wrap(op, id, ErrStore, err)
	}
	return nil
}
