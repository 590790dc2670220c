// Package testdb hands tests a real PostgreSQL, isolated per test. Import
// it from _test.go files only.
//
// # The server
//
// [Pool] and [URL] are lazy and shared by the whole test process: the
// server at MEDIASTORE_TEST_DATABASE_URL when that is set, else a
// throwaway one from [pglocal.Start] (Docker through testcontainers-go when
// an engine answers, else local initdb/postgres binaries). When no
// PostgreSQL can be had, the test is skipped with one line saying why,
// except when CI=true: then it fails.
//
// # Isolation
//
// Every test gets its own schema: [Schema] makes an empty one,
// [MigratedSchema] one holding the pgstore tables, and [Store] a
// [pgstore.Store] on a fresh migrated schema. Each is dropped in the test's
// Cleanup, so tests run in parallel without seeing each other's rows.
// [NewPool] opens a pool with its own settings (an exec mode, a user), and
// [Role] makes a login role that is not the table owner and has no
// BYPASSRLS, for Row Level Security tests.
//
// # Stopping the server
//
// A package that uses testdb stops the shared server after its tests by
// calling [Main] from TestMain, which also checks for leaked goroutines:
//
//	func TestMain(m *testing.M) { testdb.Main(m) }
package testdb
