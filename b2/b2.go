package b2

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/envconf"
	"github.com/mediastore/mediastore/provider/s3compat"
)

// Name is the provider name of B2 files.
const Name = "b2"

// DefaultRegion is the region used when neither the endpoint nor
// Config.Region names one.
const DefaultRegion = "us-east-1"

// Endpoint returns the S3 API endpoint of a region such as "us-west-004":
// https://s3.us-west-004.backblazeb2.com.
func Endpoint(region string) string {
	return "https://s3." + region + ".backblazeb2.com"
}

// RegionOf returns the region named by a B2 endpoint's host
// s3.<region>.backblazeb2.com, or "" for any other endpoint.
func RegionOf(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	region, ok := strings.CutPrefix(u.Hostname(), "s3.")
	if !ok {
		return ""
	}
	region, ok = strings.CutSuffix(region, ".backblazeb2.com")
	if !ok || region == "" || strings.Contains(region, ".") {
		return ""
	}
	return region
}

// Config configures a B2 provider. ApplicationKeyID, ApplicationKey,
// Bucket, and Endpoint or Region are required. Config implements
// fmt.Stringer and slog.LogValuer without its credentials.
type Config struct {
	// ApplicationKeyID and ApplicationKey are a B2 application key (the
	// master key does not work with the S3 API). Required.
	ApplicationKeyID string
	ApplicationKey   string
	// Bucket holds the objects. Required.
	Bucket string
	// Endpoint is the bucket's S3 endpoint, as the bucket page shows it:
	// https://s3.<region>.backblazeb2.com. B2 accepts HTTPS only. Defaults
	// to Endpoint(Region).
	Endpoint string
	// Region is the signing region when Endpoint's host does not name one
	// (a local server). Defaults to the region in Endpoint's host, else
	// "us-east-1".
	Region string
	// PublicBaseURL is the public address of a public bucket (such as
	// https://f004.backblazeb2.com/file/BUCKET or a CDN). Defaults to "":
	// the bucket is private and URLs are presigned GETs.
	PublicBaseURL string
	// UsePathStyle addresses the bucket in the path, as local servers
	// need (B2 accepts both styles). Defaults to false.
	UsePathStyle bool
	// HTTPClient sends the requests. Defaults to the SDK's client.
	HTTPClient *http.Client
}

// S3Config returns the s3compat.Config that New uses, for settings this
// Config does not name (part size, concurrency, SDK options).
func (c Config) S3Config() (s3compat.Config, error) {
	endpoint, region := c.Endpoint, RegionOf(c.Endpoint)
	switch {
	case endpoint == "" && c.Region == "":
		return s3compat.Config{}, invalid("Config.Endpoint or Config.Region is required")
	case endpoint == "":
		endpoint, region = Endpoint(c.Region), c.Region
	case region != "" && !strings.HasPrefix(endpoint, "https://"):
		return s3compat.Config{}, invalid("Config.Endpoint must be https: B2 refuses plain HTTP")
	}
	return s3compat.Config{
		Name:            Name,
		Endpoint:        endpoint,
		Region:          cmp.Or(region, c.Region, DefaultRegion),
		Bucket:          c.Bucket,
		AccessKeyID:     c.ApplicationKeyID,
		SecretAccessKey: c.ApplicationKey,
		PublicBaseURL:   c.PublicBaseURL,
		UsePathStyle:    c.UsePathStyle,
		// B2 rejects x-amz-checksum-* and x-amz-checksum-mode headers.
		SHA256Checksums: false,
		HTTPClient:      c.HTTPClient,
	}, nil
}

func invalid(msg string) error {
	return mediastore.NewError("b2.New", Name, "", mediastore.ErrInvalid, errors.New(msg))
}

// New returns a B2 provider: the s3compat provider with B2's endpoint,
// region and checksum settings.
func New(cfg Config) (*s3compat.Provider, error) {
	sc, err := cfg.S3Config()
	if err != nil {
		return nil, err
	}
	return s3compat.New(sc)
}

// The environment variables of ConfigFromEnv, as the B2 guide names them.
const (
	EnvApplicationKeyID = "B2_APPLICATION_KEY_ID"
	EnvApplicationKey   = "B2_APPLICATION_KEY"
	EnvBucket           = "B2_BUCKET_NAME"
	EnvEndpoint         = "B2_ENDPOINT_URL"
	EnvPublicBaseURL    = "B2_PUBLIC_BASE_URL"
	EnvRegion           = "B2_REGION"
	EnvForcePathStyle   = "S3_FORCE_PATH_STYLE"
)

// ConfigFromEnv reads a Config from B2_APPLICATION_KEY_ID,
// B2_APPLICATION_KEY, B2_BUCKET_NAME and B2_ENDPOINT_URL (required),
// B2_PUBLIC_BASE_URL and B2_REGION (optional) and S3_FORCE_PATH_STYLE (a
// boolean). Its error, an ErrInvalid, names every missing variable in one
// line.
func ConfigFromEnv() (Config, error) {
	c := Config{
		ApplicationKeyID: os.Getenv(EnvApplicationKeyID),
		ApplicationKey:   os.Getenv(EnvApplicationKey),
		Bucket:           os.Getenv(EnvBucket),
		Endpoint:         os.Getenv(EnvEndpoint),
		PublicBaseURL:    os.Getenv(EnvPublicBaseURL),
		Region:           os.Getenv(EnvRegion),
	}
	if missing := envconf.Missing(
		envconf.Var{Name: EnvApplicationKeyID, Value: c.ApplicationKeyID},
		envconf.Var{Name: EnvApplicationKey, Value: c.ApplicationKey},
		envconf.Var{Name: EnvBucket, Value: c.Bucket},
		envconf.Var{Name: EnvEndpoint, Value: c.Endpoint},
	); len(missing) > 0 {
		return Config{}, mediastore.NewError("b2.ConfigFromEnv", Name, "", mediastore.ErrInvalid,
			errors.New("missing environment variables: "+strings.Join(missing, ", ")))
	}
	pathStyle, err := envconf.Bool(EnvForcePathStyle)
	if err != nil {
		return Config{}, mediastore.NewError("b2.ConfigFromEnv", Name, "", mediastore.ErrInvalid, err)
	}
	c.UsePathStyle = pathStyle
	return c, nil
}

func redact(s string) string {
	if s == "" {
		return ""
	}
	return "REDACTED"
}

// String describes c without its credentials.
func (c Config) String() string {
	return fmt.Sprintf("b2.Config{ApplicationKeyID:%q ApplicationKey:%q Bucket:%q Endpoint:%q Region:%q PublicBaseURL:%q UsePathStyle:%v}",
		redact(c.ApplicationKeyID), redact(c.ApplicationKey), c.Bucket, c.Endpoint, c.Region, c.PublicBaseURL, c.UsePathStyle)
}

// GoString is String, so that %#v does not print the credentials either.
func (c Config) GoString() string { return c.String() }

// LogValue describes c to log/slog without its credentials.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("application_key_id", redact(c.ApplicationKeyID)),
		slog.String("application_key", redact(c.ApplicationKey)),
		slog.String("bucket", c.Bucket),
		slog.String("endpoint", c.Endpoint),
		slog.String("region", c.Region),
		slog.String("public_base_url", c.PublicBaseURL),
		slog.Bool("use_path_style", c.UsePathStyle),
	)
}
