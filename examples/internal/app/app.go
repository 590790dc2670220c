// Package app is the wiring the example servers share: the common
// environment variables of examples-contract.md, the database (connect,
// migrate), the demo X-User-ID authenticator, the sweeper and the HTTP
// server. An example's main.go reads its provider's variables, builds the
// provider and calls [Run].
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/httpapi"
	"github.com/mediastore/mediastore/store/pgstore"
)

// DemoUser is the owner of requests without an X-User-ID header: the
// guides' placeholder.
const DemoUser = "user_123"

// DemoAuth is the examples' authenticator: the X-User-ID header, or
// DemoUser. It is a demo only: it believes whatever the client says. A real
// app plugs its own session or token check into httpapi.Config.Authenticate.
func DemoAuth(r *http.Request) (string, error) {
	if id := r.Header.Get("X-User-ID"); id != "" {
		return id, nil
	}
	return DemoUser, nil
}

// Common holds the variables every example reads.
type Common struct {
	Port         string   // PORT, default 3000
	DatabaseURL  string   // DATABASE_URL, required
	MaxSize      int64    // MEDIASTORE_MAX_SIZE, default 104857600
	AllowedTypes []string // MEDIASTORE_ALLOWED_TYPES, default any
}

// Exit prints one line to standard error and exits with status 2, as the
// contract wants for a missing variable or an unreachable database.
func Exit(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(2)
}

// Require exits with status 2 and one line naming every missing variable
// in names (in order) unless all are set.
func Require(names ...string) {
	var missing []string
	for _, n := range names {
		if os.Getenv(n) == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		Exit("missing environment variable(s): %s", strings.Join(missing, ", "))
	}
}

// LoadCommon reads the common variables, exiting with status 2 on a
// missing or malformed one. required names the provider's variables that
// must be set too, so that one line names every missing variable, the
// common and the provider's alike.
func LoadCommon(required ...string) Common {
	Require(append([]string{"DATABASE_URL"}, required...)...)
	c := Common{Port: os.Getenv("PORT"), DatabaseURL: os.Getenv("DATABASE_URL"), MaxSize: 104857600}
	if c.Port == "" {
		c.Port = "3000"
	}
	if p, err := strconv.Atoi(c.Port); err != nil || p < 0 || p > 65535 {
		Exit("PORT must be a port number, got %q", c.Port)
	}
	if v := os.Getenv("MEDIASTORE_MAX_SIZE"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			Exit("MEDIASTORE_MAX_SIZE must be a positive number of bytes, got %q", v)
		}
		c.MaxSize = n
	}
	if v := os.Getenv("MEDIASTORE_ALLOWED_TYPES"); v != "" {
		for _, t := range strings.Split(v, ",") {
			if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
				c.AllowedTypes = append(c.AllowedTypes, t)
			}
		}
	}
	return c
}

// Config is what an example hands to Run.
type Config struct {
	Common   Common
	Provider mediastore.Provider
	// Routes mounts the guide's own endpoints on mux (presign, signature,
	// save-metadata), next to the common ones that Run mounts.
	Routes func(mux *http.ServeMux, h *httpapi.Handler)
	// SpoolUnsized is passed to httpapi.Config.
	SpoolUnsized bool
	// Serve, when set, is also mounted at this path prefix (for providers
	// that serve their own URLs, such as disk).
	Serve map[string]http.Handler
}

// Server is an example's Client and its handler, as [NewServer] builds
// them.
type Server struct {
	// Client is the mediastore.Client over the provider and the store.
	Client *mediastore.Client
	// API is the httpapi.Handler of Client, with the demo authenticator.
	API *httpapi.Handler
	// Handler serves everything: API at "/" (the common endpoints), the
	// guide's routes of Config.Routes and the prefixes of Config.Serve.
	Handler http.Handler
}

// NewServer builds what [Run] serves, over store, without reading the
// environment, touching the database or exiting: the Client with the limits
// of cfg.Common (zero values mean the library's defaults), the httpapi
// handlers with [DemoAuth], and the mux with the common endpoints, the
// guide's routes and cfg.Serve. log receives the request log and the
// Client's warnings; nil discards them. Tests build an example's exact
// handler with it.
func NewServer(store mediastore.MetadataStore, cfg Config, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	client, err := mediastore.New(cfg.Provider, store, &mediastore.Config{
		MaxSize: cfg.Common.MaxSize, AllowedTypes: cfg.Common.AllowedTypes, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	h, err := httpapi.New(client, httpapi.Config{Authenticate: DemoAuth, Logger: log, SpoolUnsized: cfg.SpoolUnsized})
	if err != nil {
		return nil, err
	}
	guide := http.NewServeMux()
	if cfg.Routes != nil {
		cfg.Routes(guide, h)
	}
	mux := http.NewServeMux()
	mux.Handle("/", &routes{guide: guide, api: h})
	for prefix, handler := range cfg.Serve {
		mux.Handle(prefix+"/", http.StripPrefix(prefix, handler))
	}
	return &Server{Client: client, API: h, Handler: mux}, nil
}

// routes serves the guide's routes, and every other request with the
// common endpoints of api. A guide's path asked with another method
// answers 405 with an Allow header in the JSON envelope, as api does for
// its own paths (a plain mux would hand it to api's "/", a 404).
type routes struct {
	guide *http.ServeMux
	api   http.Handler
}

var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

func (rt *routes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := rt.guide.Handler(r); pattern != "" {
		rt.guide.ServeHTTP(w, r)
		return
	}
	var allow []string
	for _, m := range methods {
		other := *r
		other.Method = m
		if _, pattern := rt.guide.Handler(&other); pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		rt.api.ServeHTTP(w, r)
		return
	}
	msg := "method not allowed (allowed: " + strings.Join(allow, ", ") + ")"
	body, _ := json.Marshal(httpapi.ErrorResponse{Error: msg})
	w.Header().Set("Allow", strings.Join(allow, ", "))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusMethodNotAllowed)
	w.Write(append(body, '\n'))
}

// Run connects to the database (exit 2 with one line when it cannot),
// applies the migrations, builds the Client and the handlers with
// [NewServer], starts the sweeper, and serves on 127.0.0.1:PORT (a demo
// listens on loopback only) until SIGINT or SIGTERM.
func Run(cfg Config) {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	pool, err := openDB(ctx, cfg.Common.DatabaseURL)
	if err != nil {
		Exit("DATABASE_URL: cannot use the database: %v", err)
	}
	defer pool.Close()
	store, err := pgstore.New(pool, nil)
	if err != nil {
		Exit("DATABASE_URL: %v", err)
	}
	srv, err := NewServer(store, cfg, log)
	if err != nil {
		Exit("%v", err)
	}

	sweeper := srv.Client.NewSweeper(nil)
	if err := sweeper.Start(ctx); err != nil {
		Exit("%v", err)
	}
	defer sweeper.Stop()

	ln, err := net.Listen("tcp", "127.0.0.1:"+cfg.Common.Port)
	if err != nil {
		Exit("PORT: cannot listen on %s: %v", cfg.Common.Port, err)
	}
	hs := &http.Server{Handler: srv.Handler, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("listening on http://localhost:%d\n", ln.Addr().(*net.TCPAddr).Port)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
	}()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		Exit("serve: %v", err)
	}
}

// openDB connects (failing fast when the server does not answer) and
// applies the migrations.
func openDB(ctx context.Context, url string) (*pgxpool.Pool, error) {
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, errors.New("not a valid PostgreSQL URL")
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(cctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("unreachable (%s:%d)", pcfg.ConnConfig.Host, pcfg.ConnConfig.Port)
	}
	if _, err := pgstore.Migrate(cctx, pool, nil); err != nil {
		pool.Close()
		return nil, fmt.Errorf("migrations failed: %v", err)
	}
	return pool, nil
}
