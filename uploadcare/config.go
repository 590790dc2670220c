package uploadcare

import (
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/mediastore/mediastore"
)

// The defaults of [Config].
const (
	// DefaultUploadBaseURL is Uploadcare's Upload API.
	DefaultUploadBaseURL = "https://upload.uploadcare.com"
	// DefaultAPIBaseURL is Uploadcare's REST API.
	DefaultAPIBaseURL = "https://api.uploadcare.com"
	// LegacyCDNBaseURL is the global CDN domain of projects created before
	// 2025-09-04. Newer projects are served from their own subdomain of
	// ucarecd.net (see [CDNSubdomain]); set Config.CDNBaseURL to this value,
	// or to a custom CNAME, when the project uses it.
	LegacyCDNBaseURL = "https://ucarecdn.com"
	// DefaultMultipartThreshold is the size from which Put uses the
	// multipart upload API: 10 MiB, the smallest file Uploadcare accepts
	// there.
	DefaultMultipartThreshold = 10 << 20
	// DefaultPartSize is the size of each part of a multipart upload
	// (5 MiB, Uploadcare's default and minimum).
	DefaultPartSize = 5 << 20
	// MaxBaseSize is the largest file the direct upload endpoint /base/
	// accepts (100 MB).
	MaxBaseSize = 100_000_000
)

// Auth schemes of the REST API.
const (
	// AuthSigned is the "Uploadcare" scheme: every request is signed with
	// HMAC-SHA1 of the secret key (see [SignREST]); the secret key never
	// travels. The default.
	AuthSigned = "Uploadcare"
	// AuthSimple is the "Uploadcare.Simple" scheme: the secret key is sent
	// in the Authorization header. Uploadcare accepts it over HTTPS only.
	AuthSimple = "Uploadcare.Simple"
)

// The environment variables read by [ConfigFromEnv].
const (
	EnvPublicKey     = "UPLOADCARE_PUBLIC_KEY"
	EnvSecretKey     = "UPLOADCARE_SECRET_KEY"
	EnvUploadBaseURL = "UPLOADCARE_UPLOAD_BASE_URL"
	EnvAPIBaseURL    = "UPLOADCARE_API_BASE_URL"
	EnvCDNBaseURL    = "UPLOADCARE_CDN_BASE_URL"
)

// Config configures a [Provider]. PublicKey and SecretKey are required;
// every other field has a default.
type Config struct {
	// PublicKey identifies the project. Required.
	PublicKey string
	// SecretKey signs uploads and REST requests. Required. It never
	// appears in errors, logs or String.
	SecretKey string
	// UploadBaseURL is the Upload API. Defaults to $UPLOADCARE_UPLOAD_BASE_URL,
	// else DefaultUploadBaseURL.
	UploadBaseURL string
	// APIBaseURL is the REST API. Defaults to $UPLOADCARE_API_BASE_URL,
	// else DefaultAPIBaseURL.
	APIBaseURL string
	// CDNBaseURL is where files are delivered. Defaults to
	// $UPLOADCARE_CDN_BASE_URL, else the project's own subdomain
	// https://<CDNSubdomain(PublicKey)>.ucarecd.net. Projects created before
	// 2025-09-04 may use LegacyCDNBaseURL; a custom CNAME works too. A path
	// prefix is kept.
	CDNBaseURL string
	// SignedUploads signs every upload (server-side and direct tickets)
	// with the secret key, as projects with "signed uploads" enabled
	// require. Defaults to false.
	SignedUploads bool
	// SecureDeliverySecret is the hex key of the project's secure delivery
	// (signed URL) settings. When set, every URL is signed and expires.
	// Defaults to "" (public CDN URLs; URLOptions.Signed is then refused).
	SecureDeliverySecret string
	// AuthScheme is the REST authentication: AuthSigned or AuthSimple.
	// Defaults to AuthSigned.
	AuthScheme string
	// MultipartThreshold is the size (known in advance) from which Put uses
	// the multipart upload API, from 10 MiB to MaxBaseSize. Defaults to
	// DefaultMultipartThreshold.
	MultipartThreshold int64
	// PartSize is the size of each multipart part, at least 5 MiB. Put
	// holds at most two parts in memory. Defaults to DefaultPartSize.
	PartSize int64
	// HTTPClient makes every request. Defaults to http.DefaultClient.
	HTTPClient *http.Client
}

// ConfigFromEnv reads UPLOADCARE_PUBLIC_KEY and UPLOADCARE_SECRET_KEY
// (required) and the three base URL variables (optional). The error names
// every missing variable.
func ConfigFromEnv() (Config, error) {
	cfg := Config{
		PublicKey:     os.Getenv(EnvPublicKey),
		SecretKey:     os.Getenv(EnvSecretKey),
		UploadBaseURL: os.Getenv(EnvUploadBaseURL),
		APIBaseURL:    os.Getenv(EnvAPIBaseURL),
		CDNBaseURL:    os.Getenv(EnvCDNBaseURL),
	}
	var missing []string
	if cfg.PublicKey == "" {
		missing = append(missing, EnvPublicKey)
	}
	if cfg.SecretKey == "" {
		missing = append(missing, EnvSecretKey)
	}
	if len(missing) > 0 {
		return cfg, mediastore.NewError("uploadcare.ConfigFromEnv", "", "", mediastore.ErrInvalid,
			errors.New("missing environment variable "+strings.Join(missing, ", ")))
	}
	return cfg, nil
}

// String describes c without its secrets.
func (c Config) String() string {
	return fmt.Sprintf("uploadcare.Config{PublicKey:%q SecretKey:%s UploadBaseURL:%q APIBaseURL:%q CDNBaseURL:%q SignedUploads:%t SecureDeliverySecret:%s AuthScheme:%q MultipartThreshold:%d PartSize:%d}",
		c.PublicKey, redacted(c.SecretKey), c.UploadBaseURL, c.APIBaseURL, c.CDNBaseURL,
		c.SignedUploads, redacted(c.SecureDeliverySecret), c.AuthScheme, c.MultipartThreshold, c.PartSize)
}

// GoString is String, so that %#v does not print the secrets either.
func (c Config) GoString() string { return c.String() }

// LogValue logs c without its secrets.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("public_key", c.PublicKey),
		slog.String("secret_key", redacted(c.SecretKey)),
		slog.String("upload_base_url", c.UploadBaseURL),
		slog.String("api_base_url", c.APIBaseURL),
		slog.String("cdn_base_url", c.CDNBaseURL),
		slog.Bool("signed_uploads", c.SignedUploads),
		slog.String("secure_delivery_secret", redacted(c.SecureDeliverySecret)),
		slog.String("auth_scheme", c.AuthScheme),
		slog.Int64("multipart_threshold", c.MultipartThreshold),
		slog.Int64("part_size", c.PartSize),
	)
}

func redacted(s string) string {
	if s == "" {
		return `""`
	}
	return "[redacted]"
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	c.UploadBaseURL = cmp.Or(c.UploadBaseURL, os.Getenv(EnvUploadBaseURL), DefaultUploadBaseURL)
	c.APIBaseURL = cmp.Or(c.APIBaseURL, os.Getenv(EnvAPIBaseURL), DefaultAPIBaseURL)
	c.CDNBaseURL = cmp.Or(strings.TrimSpace(c.CDNBaseURL), os.Getenv(EnvCDNBaseURL))
	if c.CDNBaseURL == "" && c.PublicKey != "" {
		c.CDNBaseURL = "https://" + CDNSubdomain(c.PublicKey) + ".ucarecd.net"
	}
	c.AuthScheme = cmp.Or(c.AuthScheme, AuthSigned)
	c.MultipartThreshold = cmp.Or(c.MultipartThreshold, DefaultMultipartThreshold)
	c.PartSize = cmp.Or(c.PartSize, DefaultPartSize)
	if c.HTTPClient == nil {
		c.HTTPClient = http.DefaultClient
	}
	return c
}

// validate checks a defaulted Config and returns the decoded secure
// delivery secret. Errors name the field, never its value when secret.
func (c *Config) validate() ([]byte, error) {
	var errs []string
	if c.PublicKey == "" {
		errs = append(errs, "Config.PublicKey is required")
	}
	if c.SecretKey == "" {
		errs = append(errs, "Config.SecretKey is required")
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"UploadBaseURL", &c.UploadBaseURL}, {"APIBaseURL", &c.APIBaseURL}, {"CDNBaseURL", &c.CDNBaseURL}} {
		s, err := normalizeBaseURL(*f.v)
		if err != nil {
			errs = append(errs, "Config."+f.name+" "+err.Error())
		}
		*f.v = s
	}
	if c.AuthScheme != AuthSigned && c.AuthScheme != AuthSimple {
		errs = append(errs, fmt.Sprintf("Config.AuthScheme must be %q or %q", AuthSigned, AuthSimple))
	}
	if c.MultipartThreshold < DefaultMultipartThreshold || c.MultipartThreshold > MaxBaseSize {
		errs = append(errs, fmt.Sprintf("Config.MultipartThreshold must be from %d to %d", DefaultMultipartThreshold, MaxBaseSize))
	}
	if c.PartSize < DefaultPartSize || c.PartSize > 5<<30 {
		errs = append(errs, fmt.Sprintf("Config.PartSize must be from %d to %d", DefaultPartSize, int64(5<<30)))
	}
	var secret []byte
	if c.SecureDeliverySecret != "" {
		var err error
		secret, err = hex.DecodeString(c.SecureDeliverySecret)
		if err != nil || len(secret) == 0 {
			errs = append(errs, "Config.SecureDeliverySecret must be hexadecimal")
		}
	}
	if len(errs) > 0 {
		return nil, mediastore.NewError("uploadcare.New", "", "", mediastore.ErrInvalid, errors.New(strings.Join(errs, "; ")))
	}
	return secret, nil
}

// normalizeBaseURL checks that s is an absolute http(s) URL without query or
// fragment and returns it without trailing slashes.
func normalizeBaseURL(s string) (string, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil {
		return s, errors.New("must be an absolute http or https URL without query, fragment or user info")
	}
	return s, nil
}
