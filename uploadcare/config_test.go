package uploadcare

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mediastore/mediastore"
)

// Tests that set environment variables cannot run in parallel.

func TestConfigDefaults(t *testing.T) {
	for _, v := range []string{EnvUploadBaseURL, EnvAPIBaseURL, EnvCDNBaseURL} {
		t.Setenv(v, "")
	}
	p, err := New(Config{PublicKey: "demopublickey", SecretKey: "demosecret"})
	if err != nil {
		t.Fatal(err)
	}
	c := p.Config()
	for name, got := range map[string]any{
		"UploadBaseURL":      c.UploadBaseURL == "https://upload.uploadcare.com",
		"APIBaseURL":         c.APIBaseURL == "https://api.uploadcare.com",
		"CDNBaseURL":         c.CDNBaseURL == "https://1s4oyld5dc.ucarecd.net",
		"AuthScheme":         c.AuthScheme == AuthSigned,
		"MultipartThreshold": c.MultipartThreshold == 10<<20,
		"PartSize":           c.PartSize == 5<<20,
		"HTTPClient":         c.HTTPClient != nil,
	} {
		if got != true {
			t.Errorf("default %s wrong: %+v", name, c)
		}
	}
	if p.Name() != "uploadcare" {
		t.Errorf("Name() = %q", p.Name())
	}

	t.Setenv(EnvUploadBaseURL, "http://127.0.0.1:1/")
	t.Setenv(EnvAPIBaseURL, "http://127.0.0.1:2")
	t.Setenv(EnvCDNBaseURL, LegacyCDNBaseURL+"/")
	p, err = New(Config{PublicKey: "demopublickey", SecretKey: "demosecret"})
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Config(); c.UploadBaseURL != "http://127.0.0.1:1" || c.APIBaseURL != "http://127.0.0.1:2" || c.CDNBaseURL != "https://ucarecdn.com" {
		t.Errorf("environment not applied: %+v", c)
	}
	// An explicit field wins over the environment.
	p, err = New(Config{PublicKey: "demopublickey", SecretKey: "demosecret", CDNBaseURL: "https://cdn.example.com/media/"})
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Config(); c.CDNBaseURL != "https://cdn.example.com/media" {
		t.Errorf("CDNBaseURL = %q", c.CDNBaseURL)
	}
}

func TestConfigFromEnv(t *testing.T) {
	t.Setenv(EnvPublicKey, "")
	t.Setenv(EnvSecretKey, "")
	_, err := ConfigFromEnv()
	requireKind(t, err, mediastore.ErrInvalid)
	msg := err.Error()
	if !strings.Contains(msg, EnvPublicKey) || !strings.Contains(msg, EnvSecretKey) || strings.Contains(msg, "\n") {
		t.Fatalf("error %q must name both variables on one line", msg)
	}
	t.Setenv(EnvPublicKey, "pk")
	_, err = ConfigFromEnv()
	if err == nil || strings.Contains(err.Error(), EnvPublicKey) || !strings.Contains(err.Error(), EnvSecretKey) {
		t.Fatalf("ConfigFromEnv with the public key set: %v", err)
	}
	t.Setenv(EnvSecretKey, "sk-very-secret")
	t.Setenv(EnvCDNBaseURL, "https://cdn.example.com")
	cfg, err := ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PublicKey != "pk" || cfg.SecretKey != "sk-very-secret" || cfg.CDNBaseURL != "https://cdn.example.com" {
		t.Fatalf("ConfigFromEnv = %v", cfg)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	good := Config{PublicKey: "pk", SecretKey: "very-secret-key", UploadBaseURL: "https://u", APIBaseURL: "https://a", CDNBaseURL: "https://c"}
	for name, tc := range map[string]struct {
		mod  func(*Config)
		want string
	}{
		"NoKeys":           {func(c *Config) { c.PublicKey, c.SecretKey = "", "" }, "Config.PublicKey is required; Config.SecretKey is required"},
		"RelativeURL":      {func(c *Config) { c.APIBaseURL = "api.uploadcare.com" }, "Config.APIBaseURL"},
		"QueryInURL":       {func(c *Config) { c.CDNBaseURL = "https://c/?x=1" }, "Config.CDNBaseURL"},
		"UserInURL":        {func(c *Config) { c.UploadBaseURL = "https://user:very-secret-key@u" }, "Config.UploadBaseURL"},
		"AuthScheme":       {func(c *Config) { c.AuthScheme = "Basic" }, "Config.AuthScheme"},
		"SmallThreshold":   {func(c *Config) { c.MultipartThreshold = 1 << 20 }, "Config.MultipartThreshold"},
		"HugeThreshold":    {func(c *Config) { c.MultipartThreshold = 200_000_000 }, "Config.MultipartThreshold"},
		"SmallParts":       {func(c *Config) { c.PartSize = 1 << 20 }, "Config.PartSize"},
		"SecureNotHex":     {func(c *Config) { c.SecureDeliverySecret = "very-secret-key" }, "Config.SecureDeliverySecret"},
		"SecureNotHexEven": {func(c *Config) { c.SecureDeliverySecret = "abc" }, "Config.SecureDeliverySecret"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := good
			tc.mod(&cfg)
			_, err := New(cfg)
			requireKind(t, err, mediastore.ErrInvalid)
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want it to mention %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "very-secret-key") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("New: %q shows a secret or spans lines", err)
			}
		})
	}
	if _, err := New(good); err != nil {
		t.Fatalf("New(good): %v", err)
	}
}

func TestSecretsNotPrinted(t *testing.T) {
	t.Parallel()
	cfg := Config{PublicKey: "pk-public", SecretKey: "sk-very-secret", SecureDeliverySecret: testSecureSecret}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logged, nil))
	log.Info("config", "cfg", cfg, "provider", p)
	log.Info("config", "cfg", p.Config())
	out := fmt.Sprintf("%v %+v %#v %s %v %+v %#v %s", cfg, cfg, cfg, cfg, p, p, p, p) + logged.String()
	for _, secret := range []string{"sk-very-secret", testSecureSecret} {
		if strings.Contains(out, secret) {
			t.Fatalf("a secret is printed: %s", out)
		}
	}
	if !strings.Contains(out, "pk-public") || !strings.Contains(out, "[redacted]") {
		t.Fatalf("printing shows neither the public key nor the redaction: %s", out)
	}
}

// A response the HTTP client refuses as malformed is quoted in the
// transport's error; a secret echoed in it must not reach the caller.
func TestTransportErrorsHoldNoSecret(t *testing.T) {
	t.Parallel()
	const secret = "sk-echoed-secret"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", secret+"\x1a") // a control character: a malformed header line
		w.WriteHeader(http.StatusNotFound)
	}))
	t.Cleanup(srv.Close)
	p, err := New(Config{PublicKey: "pk-public", SecretKey: secret, UploadBaseURL: srv.URL, APIBaseURL: srv.URL,
		CDNBaseURL: "https://cdn.example.com", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Stat(t.Context(), "7a3b2c1d-0e9f-4a8b-9c7d-6e5f4a3b2c1d")
	if !errors.Is(err, mediastore.ErrProvider) || !strings.Contains(err.Error(), "malformed") {
		t.Fatalf("Stat = %v, want the provider failure of a malformed response", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("Stat's error shows the secret: %v", err)
	}
}
