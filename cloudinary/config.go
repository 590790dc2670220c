package cloudinary

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/mediastore/mediastore"
)

// Defaults of [Config].
const (
	DefaultAPIBaseURL      = "https://api.cloudinary.com"
	DefaultDeliveryBaseURL = "https://res.cloudinary.com"
	// DefaultChunkSize is the part size of chunked uploads, as in
	// Cloudinary's SDKs.
	DefaultChunkSize = 20_000_000
	// MinChunkSize is the smallest part Cloudinary accepts in a chunked
	// upload (every part but the last must be at least 5 MB).
	MinChunkSize = 5 << 20
	// DefaultTimeout bounds each Admin API and destroy call.
	DefaultTimeout = 60 * time.Second
)

// Config configures a [Provider]. Zero fields take the documented defaults.
type Config struct {
	// CloudName is the product environment's cloud name. Required.
	CloudName string
	// APIKey is the API key. Required. It is sent to browsers in direct
	// upload tickets, as Cloudinary's signed uploads require.
	APIKey string
	// APISecret signs every request. Required; it never leaves the server
	// and never appears in errors, logs or String().
	APISecret string
	// APIBaseURL is the Upload and Admin API prefix (upload_prefix).
	// Defaults to https://api.cloudinary.com.
	APIBaseURL string
	// DeliveryBaseURL is the delivery host; URLs are
	// DeliveryBaseURL/CloudName/<resource_type>/<type>/.... Defaults to
	// https://res.cloudinary.com.
	DeliveryBaseURL string
	// DeliveryType is the type of new uploads: "upload" (public),
	// "authenticated" or "private" (delivered with signed URLs only).
	// Defaults to "upload".
	DeliveryType string
	// SignatureAlgorithm signs API requests: "sha1" or "sha256" (the
	// product environment must be set to the same). Defaults to "sha1".
	SignatureAlgorithm string
	// Folder, when set, is prepended to every public ID ("app/prod").
	// Defaults to none.
	Folder string
	// ChunkSize is the part size of chunked uploads and the largest
	// stream sent in one request. At least MinChunkSize; Cloudinary
	// refuses single requests over 100 MB. Defaults to DefaultChunkSize.
	ChunkSize int64
	// Timeout bounds each Admin API and destroy call (uploads are bounded
	// by the caller's context only). Defaults to DefaultTimeout.
	Timeout time.Duration
	// HTTPClient sends every request. Defaults to http.DefaultClient.
	HTTPClient *http.Client
	// Test holds knobs for tests.
	Test TestConfig
}

// TestConfig holds knobs for tests.
type TestConfig struct {
	// Now is the clock for request timestamps. Defaults to time.Now.
	Now func() time.Time
}

// String describes the configuration with the API key and secret redacted.
func (c Config) String() string {
	return fmt.Sprintf("cloudinary.Config{CloudName: %q, APIKey: %s, APISecret: %s, APIBaseURL: %q, DeliveryBaseURL: %q, DeliveryType: %q, SignatureAlgorithm: %q, Folder: %q, ChunkSize: %d}",
		c.CloudName, redacted(c.APIKey), redacted(c.APISecret), c.APIBaseURL, c.DeliveryBaseURL,
		c.DeliveryType, c.SignatureAlgorithm, c.Folder, c.ChunkSize)
}

// GoString is String, so that %#v redacts too.
func (c Config) GoString() string { return c.String() }

// LogValue logs the configuration with the API key and secret redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("cloud_name", c.CloudName),
		slog.String("api_key", redacted(c.APIKey)),
		slog.String("api_secret", redacted(c.APISecret)),
		slog.String("api_base_url", c.APIBaseURL),
		slog.String("delivery_base_url", c.DeliveryBaseURL),
		slog.String("delivery_type", c.DeliveryType),
		slog.String("signature_algorithm", c.SignatureAlgorithm),
		slog.String("folder", c.Folder),
		slog.Int64("chunk_size", c.ChunkSize),
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
	c.APIBaseURL = strings.TrimRight(cmp.Or(c.APIBaseURL, DefaultAPIBaseURL), "/")
	c.DeliveryBaseURL = strings.TrimRight(cmp.Or(c.DeliveryBaseURL, DefaultDeliveryBaseURL), "/")
	c.DeliveryType = cmp.Or(c.DeliveryType, "upload")
	c.SignatureAlgorithm = strings.ToLower(cmp.Or(c.SignatureAlgorithm, "sha1"))
	c.Folder = strings.Trim(c.Folder, "/")
	c.ChunkSize = cmp.Or(c.ChunkSize, DefaultChunkSize)
	c.Timeout = cmp.Or(c.Timeout, DefaultTimeout)
	if c.HTTPClient == nil {
		c.HTTPClient = http.DefaultClient
	}
	if c.Test.Now == nil {
		c.Test.Now = time.Now
	}
	return c
}

// validate reports the first invalid field of a defaulted configuration.
func (c Config) validate() error {
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"CloudName", c.CloudName}, {"APIKey", c.APIKey}, {"APISecret", c.APISecret},
	} {
		if f.v == "" {
			missing = append(missing, "Config."+f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s required", strings.Join(missing, ", "))
	}
	if strings.ContainsAny(c.CloudName, "/?#% ") {
		return errors.New("Config.CloudName is not a cloud name")
	}
	for _, f := range []struct{ name, v string }{
		{"APIBaseURL", c.APIBaseURL}, {"DeliveryBaseURL", c.DeliveryBaseURL},
	} {
		u, err := url.Parse(f.v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
			return fmt.Errorf("Config.%s must be an http(s) URL without a query", f.name)
		}
	}
	if !validDeliveryType(c.DeliveryType) {
		return fmt.Errorf("Config.DeliveryType %q must be upload, authenticated or private", c.DeliveryType)
	}
	if c.SignatureAlgorithm != "sha1" && c.SignatureAlgorithm != "sha256" {
		return fmt.Errorf("Config.SignatureAlgorithm %q must be sha1 or sha256", c.SignatureAlgorithm)
	}
	if c.ChunkSize < MinChunkSize {
		return fmt.Errorf("Config.ChunkSize must be at least %d bytes", MinChunkSize)
	}
	if c.Timeout < 0 {
		return errors.New("Config.Timeout must not be negative")
	}
	if c.Folder != "" && sanitizePath(c.Folder) != c.Folder {
		return fmt.Errorf("Config.Folder %q holds characters Cloudinary does not allow in public IDs", c.Folder)
	}
	return nil
}

func validDeliveryType(t string) bool {
	return t == "upload" || t == "authenticated" || t == "private"
}

// The environment variables read by [ConfigFromEnv].
const (
	EnvCloudName       = "CLOUDINARY_CLOUD_NAME"
	EnvAPIKey          = "CLOUDINARY_API_KEY"
	EnvAPISecret       = "CLOUDINARY_API_SECRET"
	EnvURL             = "CLOUDINARY_URL"
	EnvAPIBaseURL      = "CLOUDINARY_API_BASE_URL"
	EnvDeliveryBaseURL = "CLOUDINARY_DELIVERY_BASE_URL"
	EnvDeliveryType    = "CLOUDINARY_DELIVERY_TYPE"
	EnvFolder          = "CLOUDINARY_FOLDER"
)

// ConfigFromEnv reads a Config from the environment: CLOUDINARY_CLOUD_NAME,
// CLOUDINARY_API_KEY and CLOUDINARY_API_SECRET, or CLOUDINARY_URL
// (cloudinary://KEY:SECRET@CLOUD, optionally ?upload_prefix=URL) for the
// ones not set; CLOUDINARY_API_BASE_URL overrides the API base URL, and
// CLOUDINARY_DELIVERY_BASE_URL, CLOUDINARY_DELIVERY_TYPE and
// CLOUDINARY_FOLDER set the fields of the same names. The error names
// every missing variable in one line and never contains a credential.
func ConfigFromEnv() (Config, error) {
	return configFromLookup(os.LookupEnv)
}

func configFromLookup(lookup func(string) (string, bool)) (Config, error) {
	get := func(k string) string { v, _ := lookup(k); return strings.TrimSpace(v) }
	var c Config
	if raw := get(EnvURL); raw != "" {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "cloudinary" || u.User == nil {
			// Never echo the value: it holds the secret.
			return Config{}, envError(errors.New(EnvURL + " must look like cloudinary://API_KEY:API_SECRET@CLOUD_NAME"))
		}
		c.CloudName = u.Host
		c.APIKey = u.User.Username()
		c.APISecret, _ = u.User.Password()
		c.APIBaseURL = u.Query().Get("upload_prefix")
	}
	c.CloudName = cmp.Or(get(EnvCloudName), c.CloudName)
	c.APIKey = cmp.Or(get(EnvAPIKey), c.APIKey)
	c.APISecret = cmp.Or(get(EnvAPISecret), c.APISecret)
	c.APIBaseURL = cmp.Or(get(EnvAPIBaseURL), c.APIBaseURL)
	c.DeliveryBaseURL = get(EnvDeliveryBaseURL)
	c.DeliveryType = get(EnvDeliveryType)
	c.Folder = get(EnvFolder)

	var missing []string
	if c.CloudName == "" {
		missing = append(missing, EnvCloudName)
	}
	if c.APIKey == "" {
		missing = append(missing, EnvAPIKey)
	}
	if c.APISecret == "" {
		missing = append(missing, EnvAPISecret)
	}
	if len(missing) > 0 {
		return Config{}, envError(fmt.Errorf("missing environment variables %s (or set %s=cloudinary://API_KEY:API_SECRET@CLOUD_NAME)",
			strings.Join(missing, ", "), EnvURL))
	}
	return c, nil
}

func envError(cause error) error {
	return mediastore.NewError("cloudinary.ConfigFromEnv", "", "", mediastore.ErrInvalid, cause)
}
