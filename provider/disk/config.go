package disk

import (
	"fmt"
	"log/slog"
	"time"
)

// Config configures a disk Provider.
type Config struct {
	// Dir is the folder that holds the objects, one file per key at the
	// key's path. It is created if missing. Required.
	Dir string
	// BaseURL is the absolute URL where the Provider's handler is mounted,
	// e.g. "http://127.0.0.1:8080/media". URL and PrepareDirect need it;
	// without it they return an ErrUnsupported error. Defaults to none.
	BaseURL string
	// Secret is the HMAC key that signs URLs and tickets, at least 16
	// bytes. Defaults to a random secret made once per process: URLs then
	// stop working when the process exits, and only providers in the same
	// process accept each other's URLs.
	Secret []byte
	// Public makes URL return unsigned URLs unless URLOptions.Signed is
	// set, and makes the handler serve GET and HEAD without a signature.
	// Uploads always need a signed ticket. Defaults to false.
	Public bool
	// Name is the provider name stored in File.Provider. Defaults to "disk".
	Name string
	// NoSync skips the fsync of each object before it is renamed into
	// place: faster, but a power loss may leave a truncated object.
	// Defaults to false (objects are synced).
	NoSync bool
	// Test holds knobs for tests.
	Test TestConfig
}

// TestConfig holds knobs for tests.
type TestConfig struct {
	// Now is the clock of signatures. Defaults to time.Now.
	Now func() time.Time
}

// String describes the Config without its secret.
func (c Config) String() string {
	return fmt.Sprintf("disk.Config{Dir:%q BaseURL:%q Secret:%s Public:%t Name:%q NoSync:%t}",
		c.Dir, c.BaseURL, redact(c.Secret), c.Public, c.Name, c.NoSync)
}

// LogValue logs the Config without its secret.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("dir", c.Dir), slog.String("base_url", c.BaseURL),
		slog.String("secret", redact(c.Secret)), slog.Bool("public", c.Public),
		slog.String("name", c.Name), slog.Bool("no_sync", c.NoSync))
}

func redact(s []byte) string {
	if len(s) == 0 {
		return "unset"
	}
	return "REDACTED"
}
