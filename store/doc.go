// Package store is the home of the [mediastore.MetadataStore]
// implementations: the stores keep one row per stored object, and the
// [mediastore.Client] keeps them true to what the provider holds.
//
// # The stores
//
//   - [github.com/mediastore/mediastore/store/pgstore]: PostgreSQL on
//     pgx/v5 (pgxpool). One table for every provider, embedded versioned
//     migrations applied under an advisory lock ([pgstore.Migrate]), Row
//     Level Security on a per-transaction owner setting, claims with FOR
//     UPDATE SKIP LOCKED, and nothing that breaks behind a
//     transaction-mode pooler such as Neon's pooled URL. Use it in
//     production.
//   - [github.com/mediastore/mediastore/store/memstore]: the same
//     semantics in memory, for tests and throwaway programs.
//
// # The specification
//
// [github.com/mediastore/mediastore/store/storetest] holds every promise
// a store makes, as tests: owner isolation, (provider, key) uniqueness,
// keyset order and its stability under concurrent inserts, status
// compare-and-set, claim leases and concurrent claims, ErrInvalid for bad
// parameters. Both stores pass it (pgstore in both query exec modes, with
// and without RLS), and a store of your own can run it with one call.
//
// # Semantics in short
//
// Every owner-facing call takes the owner and treats another owner's row
// as missing (ErrNotFound). Calls with an empty Owner (SetStatus and
// Delete from the sweeper or a compensation, and ClaimExpired) are system
// calls that may touch any row. Listings are newest first by (CreatedAt,
// ID), paged with an opaque [mediastore.Cursor]. Status changes are
// compare-and-set: the wrong From is ErrConflict. Errors match exactly one
// sentinel of the root package.
package store
