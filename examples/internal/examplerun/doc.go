// Package examplerun drives an example server from the outside, as the
// contract in examples-contract.md is checked: the built binary, configured
// only through its environment, on a database of its own, answering HTTP on
// 127.0.0.1. Import it from _test.go files only (it uses internal/testdb).
//
// # Use
//
//	func TestMain(m *testing.M) { examplerun.Main(m) }
//
//	func TestGuide(t *testing.T) {
//		bin := examplerun.Build(t, ".")
//		env := []string{"DATABASE_URL=" + examplerun.Database(t), ...}
//		srv := examplerun.Start(t, bin, env)
//		status, body := srv.Do(t, "GET", "/files", "user_123", nil, "")
//	}
//
// [Build] compiles the example once per test process; [Start] runs it with
// PORT=0 and waits for its "listening on" line, and stops it (SIGTERM) when
// the test ends; [Run] runs it to its exit, for the exit-status checks.
//
// # Environment
//
// The child gets only PATH, HOME, TMPDIR (a directory of the test's own,
// which [Server.TempDir] names) and the variables the test passes, so that
// nothing in the developer's environment leaks into a check.
package examplerun
