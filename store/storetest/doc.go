// Package storetest is the specification of a [mediastore.MetadataStore],
// written as tests. Every store in this module passes it, and so should a
// store of your own:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) mediastore.MetadataStore {
//			return newEmptyStore(t) // fresh and isolated for each subtest
//		})
//	}
//
// # What it checks
//
//   - Insert, Get and GetByKey return what was written; IDs are UUIDs.
//   - Owner isolation: another owner's row is ErrNotFound for Get, GetByKey,
//     SetStatus and Delete, and never listed.
//   - ErrConflict on a duplicate (Provider, Key).
//   - List: newest first by (CreatedAt, ID), keyset pages without
//     duplicates or gaps, stable while rows are inserted concurrently,
//     status and resource type filters, limits from 1 to 1000.
//   - SetStatus is a compare-and-set (a wrong From is ErrConflict, and of
//     many concurrent changes exactly one wins), applies the Object's
//     non-empty fields, replaces the key, sets and clears ExpiresAt.
//   - Delete checks the status.
//   - ClaimExpired takes only expired pending and deleting rows of one
//     provider, oldest first, marks them deleting for the lease, does not
//     hand them out again before the lease ends, and concurrent claimers
//     never get the same row twice and together get every row.
//   - Bad parameters are ErrInvalid, and nothing is written.
//   - When the store is a [mediastore.RowScanner]: ScanRows pages through
//     every row of a provider, across owners and statuses, by key prefix
//     in byte order.
//   - A cancelled context fails every call with an error that wraps
//     context.Canceled, and nothing is written.
//
// Every error is checked to match exactly one sentinel
// ([mediastore.KindOf]).
package storetest
