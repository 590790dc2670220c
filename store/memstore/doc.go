// Package memstore is a [mediastore.MetadataStore] in memory, with the
// same semantics as pgstore: owner scoping (another owner's row is
// ErrNotFound), unique (Provider, Key), newest-first keyset listing by
// (CreatedAt, ID), compare-and-set status changes, claim leases, and the
// same ErrInvalid checks. It passes storetest, like pgstore.
//
// Use it in tests and in programs that need no persistence (the
// quickstart's last resort): everything is lost with the process.
//
//	store := memstore.New()
//	client, err := mediastore.New(provider, store, nil)
//
// Timestamps are kept at PostgreSQL's precision (microseconds) and Extra
// goes through JSON, as in PostgreSQL, so numbers come back as float64.
package memstore
