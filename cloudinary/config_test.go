package cloudinary

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/mediastore/mediastore"
)

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	_, err := configFromLookup(lookup(nil))
	if !errors.Is(err, mediastore.ErrInvalid) || !strings.Contains(err.Error(), "CLOUDINARY_CLOUD_NAME, CLOUDINARY_API_KEY, CLOUDINARY_API_SECRET") ||
		strings.Contains(err.Error(), "\n") {
		t.Errorf("nothing set: %v", err)
	}
	_, err = configFromLookup(lookup(map[string]string{EnvCloudName: "c", EnvAPIKey: "k"}))
	if err == nil || !strings.Contains(err.Error(), "missing environment variables CLOUDINARY_API_SECRET (") {
		t.Errorf("secret missing: %v", err)
	}

	c, err := configFromLookup(lookup(map[string]string{EnvCloudName: "demo", EnvAPIKey: "key", EnvAPISecret: "s3cr3t",
		EnvAPIBaseURL: "http://127.0.0.1:9", EnvDeliveryType: "authenticated", EnvFolder: "app"}))
	if err != nil || c.CloudName != "demo" || c.APIKey != "key" || c.APISecret != "s3cr3t" || c.APIBaseURL != "http://127.0.0.1:9" ||
		c.DeliveryType != "authenticated" || c.Folder != "app" {
		t.Errorf("guide variables: %+v %v", c, err)
	}

	c, err = configFromLookup(lookup(map[string]string{EnvURL: "cloudinary://111:s%2Fecret@mycloud?upload_prefix=https%3A%2F%2Fapi-eu.cloudinary.com"}))
	if err != nil || c.CloudName != "mycloud" || c.APIKey != "111" || c.APISecret != "s/ecret" || c.APIBaseURL != "https://api-eu.cloudinary.com" {
		t.Errorf("CLOUDINARY_URL: %+v %v", c, err)
	}
	c, err = configFromLookup(lookup(map[string]string{EnvURL: "cloudinary://111:sec@mycloud", EnvCloudName: "other", EnvAPIBaseURL: "http://127.0.0.1:1"}))
	if err != nil || c.CloudName != "other" || c.APISecret != "sec" || c.APIBaseURL != "http://127.0.0.1:1" {
		t.Errorf("variables override CLOUDINARY_URL: %+v %v", c, err)
	}
	_, err = configFromLookup(lookup(map[string]string{EnvURL: "https://111:topsecret@mycloud"}))
	if err == nil || strings.Contains(err.Error(), "topsecret") || !strings.Contains(err.Error(), EnvURL) {
		t.Errorf("bad CLOUDINARY_URL: %v", err)
	}
}

func TestConfigRedacts(t *testing.T) {
	t.Parallel()
	c := Config{CloudName: "demo", APIKey: "987654321098765", APISecret: "very-secret-value"}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("cfg", "config", c)
	for _, s := range []string{c.String(), fmt.Sprintf("%v|%+v|%#v|%s", c, c, c, c), logs.String()} {
		if strings.Contains(s, c.APISecret) || strings.Contains(s, c.APIKey) {
			t.Errorf("credentials in %q", s)
		}
		if !strings.Contains(s, "demo") {
			t.Errorf("cloud name missing from %q", s)
		}
	}
	p, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprintf("%v %+v %#v %s", p, p, p, p.String()); strings.Contains(s, c.APISecret) || strings.Contains(s, c.APIKey) {
		t.Errorf("credentials in %q", s)
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	ok := Config{CloudName: "demo", APIKey: "k", APISecret: "supersecret"}
	for _, tc := range []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { *c = Config{} }, "Config.CloudName, Config.APIKey, Config.APISecret required"},
		{func(c *Config) { c.DeliveryType = "public" }, "Config.DeliveryType"},
		{func(c *Config) { c.SignatureAlgorithm = "md5" }, "Config.SignatureAlgorithm"},
		{func(c *Config) { c.ChunkSize = 1 << 20 }, "Config.ChunkSize"},
		{func(c *Config) { c.APIBaseURL = "ftp://x" }, "Config.APIBaseURL"},
		{func(c *Config) { c.DeliveryBaseURL = "res.cloudinary.com" }, "Config.DeliveryBaseURL"},
		{func(c *Config) { c.Folder = "a b" }, "Config.Folder"},
		{func(c *Config) { c.CloudName = "a/b" }, "Config.CloudName"},
	} {
		c := ok
		tc.mod(&c)
		_, err := New(c)
		if !errors.Is(err, mediastore.ErrInvalid) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "supersecret") {
			t.Errorf("want %q: %v", tc.want, err)
		}
	}
	p, err := New(ok)
	if err != nil || p.cfg.APIBaseURL != DefaultAPIBaseURL || p.cfg.DeliveryBaseURL != DefaultDeliveryBaseURL ||
		p.cfg.DeliveryType != "upload" || p.cfg.SignatureAlgorithm != "sha1" || p.cfg.ChunkSize != DefaultChunkSize || p.Name() != "cloudinary" {
		t.Errorf("defaults: %+v %v", p, err)
	}
}
