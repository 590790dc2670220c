// Package reliability holds the tests that prove mediastore's promises under
// failure: no failure leaves an object that no row knows or a row whose
// object is gone, no owner sees another's files, and bad input changes
// nothing. It has no API; everything is in its _test.go files, run by
// `go test ./internal/reliability`.
//
// # The fault matrix
//
// TestReliability runs the server-side upload ([mediastore.Client.Upload],
// streamed in one PUT and as a multipart upload), the direct-upload confirm
// ([mediastore.Client.ConfirmUpload] after a PUT straight to the S3 server)
// and the delete ([mediastore.Client.Delete]) with a toxiproxy proxy
// (github.com/Shopify/toxiproxy/v2, in process, on 127.0.0.1) between the
// Client and PostgreSQL and another between the Client and the S3 server
// (versitygw). In every cell one dependency is cut (connections reset,
// replies lost) or stalled (nothing answers until the caller gives up)
// before, during or after one step of the flow. Then the proxies are
// restored, a sweep runs with a clock past the TTL, and the bucket's
// listing is compared with every row of the table: a cell passes with 0
// objects that no row knows and 0 rows whose object is gone.
//
// The same test kills a child process (this test binary) with SIGKILL at
// each step of the flows, on the disk provider and on S3, and repairs the
// damage with a sweep from the parent. Its results and the matrix's are
// written to RELIABILITY.md at the module root:
//
//	go test ./internal/reliability -run TestReliability -update
//
// (or MEDIASTORE_UPDATE_RELIABILITY=1). Without -update the test fails
// when RELIABILITY.md differs from what the run found.
//
// # The rest
//
//   - TestSweepersShareWork: two sweepers of two Clients on one store, over
//     100,000 expired intents inserted with COPY, delete each object exactly
//     once and leave no row.
//   - TestIsolationHTTP: every endpoint of httpapi answers bob's requests
//     for alice's file ids, keys and cursor exactly as for ids and keys that
//     nobody has (404 for a file id) and changes no row and no object, on
//     S3 and PostgreSQL with Row Level Security and a restricted role.
//   - TestIsolationRLS: the Client works for each owner through that role
//     (the sweeper and Reconcile through the owner's pool), while the role's
//     raw SQL sees no row of another owner, and none without the setting.
//   - TestReconcile, TestReconcileBesideTraffic, TestReconcileDeleteDuringPass:
//     orphans older than the grace period and dangling rows are reported by
//     a dry run that deletes nothing; DeleteOrphans deletes only the old
//     orphans; uploads and deletes running beside it give no false positive.
//   - TestConfirmRaceKeepsReadyObject: a confirm that refuses an object does
//     not delete it when another confirm has recorded it meanwhile.
//   - TestNoLeaks: file descriptors and temporary files are released after
//     successful and failed uploads (the Client, httpapi's spooling, disk
//     Puts).
package reliability
