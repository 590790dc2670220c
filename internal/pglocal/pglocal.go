package pglocal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// The ways a server can be had, as reported in [Server.How] and accepted
// by [Options.How].
const (
	HowTestcontainers = "testcontainers"
	HowInitdb         = "initdb"
)

// ErrUnavailable is matched (errors.Is) by the error of [Start] when no way
// to run PostgreSQL exists on this machine: no Docker engine answers and no
// initdb/postgres binaries are found. Other errors mean a way exists but
// failed.
var ErrUnavailable = errors.New("mediastore: no PostgreSQL available")

// Options tunes [Start]. A nil *Options means defaults.
type Options struct {
	// How forces one way, HowTestcontainers or HowInitdb. Defaults to
	// trying testcontainers when a Docker engine answers, then initdb.
	How string
	// Image is the Docker image for testcontainers. Defaults to
	// "postgres:16-alpine".
	Image string
	// Dir is the folder under which local clusters get their own folder.
	// Defaults to os.TempDir().
	Dir string
	// User is the unprivileged OS user that runs initdb and postgres when
	// this process runs as root. Defaults to "postgres".
	User string
}

// Server is a running throwaway PostgreSQL.
type Server struct {
	// How is the way the server was had: HowTestcontainers or HowInitdb.
	How string

	url       string
	stop      func() error
	closeOnce sync.Once
	closeErr  error
}

// URL returns the server's connection URL, of the form
// postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable (with a
// password for containers).
func (s *Server) URL() string { return s.url }

// Close stops the server and removes its data. It is safe to call more
// than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.stop() })
	return s.closeErr
}

// Start starts a throwaway PostgreSQL server. See the package
// documentation for where it comes from. ctx bounds the start only, not the
// server's life: call [Server.Close] to stop it.
func Start(ctx context.Context, opts *Options) (*Server, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Image == "" {
		o.Image = "postgres:16-alpine"
	}
	if o.User == "" {
		o.User = "postgres"
	}
	switch o.How {
	case HowTestcontainers:
		if where, ok := dockerAnswers(ctx); !ok {
			return nil, fmt.Errorf("%w: no Docker engine answers at %s", ErrUnavailable, where)
		}
		return startContainer(ctx, &o)
	case HowInitdb:
		return startLocal(ctx, &o)
	case "":
	default:
		return nil, fmt.Errorf("mediastore: pglocal: Options.How must be %q, %q or empty, not %q", HowTestcontainers, HowInitdb, o.How)
	}

	var why []string
	where, ok := dockerAnswers(ctx)
	if ok {
		s, err := startContainer(ctx, &o)
		if err == nil {
			return s, nil
		}
		why = append(why, err.Error())
	} else {
		why = append(why, "no Docker engine answers at "+where)
	}
	s, err := startLocal(ctx, &o)
	if err == nil {
		return s, nil
	}
	if errors.Is(err, ErrUnavailable) {
		why = append(why, strings.TrimPrefix(err.Error(), ErrUnavailable.Error()+": "))
		return nil, fmt.Errorf("%w: %s", ErrUnavailable, strings.Join(why, "; "))
	}
	return nil, err
}
