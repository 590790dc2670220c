package pgstore

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mediastore/mediastore"
)

// interpretError translates a pgx error into the library's vocabulary; it
// is the only place that looks at database errors.
func interpretError(op, provider, key string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return mediastore.NewError(op, provider, key, mediastore.ErrNotFound, nil)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return mediastore.NewError(op, provider, key, mediastore.ErrStore, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505": // unique_violation
			return mediastore.NewError(op, provider, key, mediastore.ErrConflict, err)
		case pgErr.Code == "23514" || strings.HasPrefix(pgErr.Code, "22"): // check_violation, data exceptions
			return mediastore.NewError(op, provider, key, mediastore.ErrInvalid, err)
		case pgErr.Code == "42501": // insufficient_privilege, including RLS refusals
			return mediastore.NewError(op, provider, key, mediastore.ErrForbidden, err)
		}
	}
	return mediastore.NewError(op, provider, key, mediastore.ErrStore, err)
}
