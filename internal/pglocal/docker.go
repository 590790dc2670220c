package pglocal

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/postgres"
)

// dockerAnswers reports whether a Docker engine answers a ping within a
// second, and where it looked. A missing socket file answers at once.
func dockerAnswers(ctx context.Context) (where string, ok bool) {
	network, addr := "", ""
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		u, err := url.Parse(h)
		if err != nil {
			return "DOCKER_HOST", false
		}
		switch u.Scheme {
		case "unix":
			network, addr = "unix", u.Path
		case "tcp":
			network, addr = "tcp", u.Host
		default:
			return "DOCKER_HOST (scheme " + u.Scheme + ")", false
		}
	} else {
		var tried []string
		for _, p := range dockerSockets() {
			if _, err := os.Stat(p); err == nil {
				network, addr = "unix", p
				break
			}
			tried = append(tried, p)
		}
		if addr == "" {
			return strings.Join(tried, " or "), false
		}
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
		DisableKeepAlives: true,
	}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/_ping", nil)
	if err != nil {
		return addr, false
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return addr, false
	}
	resp.Body.Close()
	// Any answer below 500 is an engine (a TLS-only port answers 400).
	return addr, resp.StatusCode < 500
}

// dockerSockets lists the usual places of the engine's socket.
func dockerSockets() []string {
	socks := []string{"/var/run/docker.sock"}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		socks = append(socks, filepath.Join(d, "docker.sock"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		socks = append(socks, filepath.Join(home, ".docker", "run", "docker.sock"))
	}
	return socks
}

// startContainer runs PostgreSQL in Docker through testcontainers-go.
func startContainer(ctx context.Context, o *Options) (*Server, error) {
	c, err := postgres.Run(ctx, o.Image,
		postgres.WithDatabase("postgres"),
		postgres.WithUsername("postgres"),
		postgres.WithPassword("postgres"),
		postgres.BasicWaitStrategies(),
		testcontainers.WithCmd("postgres", "-c", "fsync=off", "-c", "synchronous_commit=off",
			"-c", "full_page_writes=off", "-c", "max_connections=300"),
	)
	if err != nil {
		if c != nil {
			_ = testcontainers.TerminateContainer(c)
		}
		return nil, fmt.Errorf("mediastore: pglocal: testcontainers %s: %w", o.Image, err)
	}
	host, err := c.Host(ctx)
	if err == nil && host == "localhost" {
		host = "127.0.0.1"
	}
	port, err2 := c.MappedPort(ctx, "5432/tcp")
	if err == nil {
		err = err2
	}
	if err != nil {
		_ = testcontainers.TerminateContainer(c)
		return nil, fmt.Errorf("mediastore: pglocal: testcontainers %s: %w", o.Image, err)
	}
	return &Server{
		How:  HowTestcontainers,
		url:  fmt.Sprintf("postgres://postgres:postgres@%s/postgres?sslmode=disable", net.JoinHostPort(host, port.Port())),
		stop: func() error { return testcontainers.TerminateContainer(c) },
	}, nil
}
