// Package pglocal starts a throwaway PostgreSQL server and hands back its
// URL. The test harness (internal/testdb) and examples/quickstart use it.
//
// # Where the server comes from
//
// [Start] tries, in order:
//
//  1. testcontainers-go's postgres module (image postgres:16-alpine), but
//     only when a Docker engine answers a ping within a second at
//     DOCKER_HOST or /var/run/docker.sock; the check fails fast when no
//     engine is there.
//  2. A cluster of its own from the local initdb and postgres binaries,
//     found on PATH or in /usr/lib/postgresql/*/bin (Debian's packages).
//     It lives in a fresh folder under the temporary directory, listens on
//     127.0.0.1 at a free port, trusts local connections and runs with
//     settings that suit tests (fsync, synchronous_commit and
//     full_page_writes off; max_connections 300).
//
// When neither is there, Start returns an error matching [ErrUnavailable]
// that says in one line what is missing.
//
// # Running as root
//
// initdb and postgres refuse to run as root, and CI runs as root. Then
// pglocal runs them as the unprivileged "postgres" user that Debian's
// packages create, in a folder chowned to that user.
//
// # Cleaning up
//
// [Server.Close] stops the server and removes its folder. The server is
// also tied to the process that started it: it receives SIGQUIT when that
// process dies (Linux's parent-death signal), and Start removes the folders
// of clusters whose starting process is gone.
package pglocal
