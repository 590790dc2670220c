package r2

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/envconf"
	"github.com/mediastore/mediastore/provider/s3compat"
)

// Name is the provider name of R2 files.
const Name = "r2"

// Region is the signing region of R2: "auto" (R2 also accepts "" and
// "us-east-1" as aliases).
const Region = "auto"

// Endpoint returns the S3 API endpoint of an account:
// https://ACCOUNT_ID.r2.cloudflarestorage.com.
func Endpoint(accountID string) string {
	return "https://" + accountID + ".r2.cloudflarestorage.com"
}

// Config configures an R2 provider. AccessKeyID, SecretAccessKey, Bucket,
// and AccountID or Endpoint are required. Config implements fmt.Stringer
// and slog.LogValuer without its credentials.
type Config struct {
	// AccountID is the Cloudflare account ID, which names the endpoint.
	// Required unless Endpoint is set.
	AccountID string
	// AccessKeyID and SecretAccessKey are an R2 API token's S3
	// credentials. Required.
	AccessKeyID     string
	SecretAccessKey string
	// Bucket holds the objects. Required.
	Bucket string
	// PublicBaseURL is the bucket's public address (an r2.dev subdomain or
	// a custom domain), for public buckets. Defaults to "": the bucket is
	// private and URLs are presigned GETs.
	PublicBaseURL string
	// Endpoint overrides the S3 API endpoint, for a jurisdiction
	// (https://ACCOUNT_ID.eu.r2.cloudflarestorage.com) or a local server.
	// Defaults to Endpoint(AccountID).
	Endpoint string
	// UsePathStyle addresses the bucket in the path, as local servers
	// need. Defaults to false.
	UsePathStyle bool
	// CreateOnly makes direct-upload tickets upload once: R2 refuses a
	// replayed PUT onto the key with 412, so the checked object cannot be
	// replaced after the confirm (see s3compat.Config.CreateOnly). The
	// client must then send the ticket's If-None-Match header. Defaults to
	// false, as the guide's browser code sends only Content-Type.
	CreateOnly bool
	// HTTPClient sends the requests. Defaults to the SDK's client.
	HTTPClient *http.Client
}

var accountID = regexp.MustCompile(`^[A-Za-z0-9-]{1,63}$`)

// S3Config returns the s3compat.Config that New uses, for settings this
// Config does not name (part size, concurrency, SDK options).
func (c Config) S3Config() (s3compat.Config, error) {
	endpoint := c.Endpoint
	if endpoint == "" {
		if !accountID.MatchString(c.AccountID) {
			return s3compat.Config{}, mediastore.NewError("r2.New", Name, "", mediastore.ErrInvalid,
				errors.New("Config.AccountID is required (letters, digits and dashes) unless Config.Endpoint is set"))
		}
		endpoint = Endpoint(c.AccountID)
	}
	return s3compat.Config{
		Name:            Name,
		Endpoint:        endpoint,
		Region:          Region,
		Bucket:          c.Bucket,
		AccessKeyID:     c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey,
		PublicBaseURL:   c.PublicBaseURL,
		UsePathStyle:    c.UsePathStyle,
		// R2 verifies x-amz-checksum-sha256 on PutObject (BadDigest).
		SHA256Checksums: true,
		CreateOnly:      c.CreateOnly,
		HTTPClient:      c.HTTPClient,
	}, nil
}

// New returns an R2 provider: the s3compat provider with R2's endpoint,
// region and checksum settings.
func New(cfg Config) (*s3compat.Provider, error) {
	sc, err := cfg.S3Config()
	if err != nil {
		return nil, err
	}
	return s3compat.New(sc)
}

// The environment variables of ConfigFromEnv, as the R2 guide names them.
const (
	EnvAccountID       = "R2_ACCOUNT_ID"
	EnvAccessKeyID     = "R2_ACCESS_KEY_ID"
	EnvSecretAccessKey = "R2_SECRET_ACCESS_KEY"
	EnvBucket          = "R2_BUCKET_NAME"
	EnvPublicBaseURL   = "R2_PUBLIC_BASE_URL"
	EnvEndpoint        = "R2_ENDPOINT_URL"
	EnvForcePathStyle  = "S3_FORCE_PATH_STYLE"
	EnvCreateOnly      = "R2_CREATE_ONLY_UPLOADS"
)

// ConfigFromEnv reads a Config from R2_ACCOUNT_ID, R2_ACCESS_KEY_ID,
// R2_SECRET_ACCESS_KEY and R2_BUCKET_NAME (required; R2_ACCOUNT_ID may be
// left out when R2_ENDPOINT_URL is set), R2_PUBLIC_BASE_URL and
// R2_ENDPOINT_URL (optional), S3_FORCE_PATH_STYLE and
// R2_CREATE_ONLY_UPLOADS (booleans, for UsePathStyle and CreateOnly). Its
// error, an ErrInvalid, names every missing variable in one line.
func ConfigFromEnv() (Config, error) {
	c := Config{
		AccountID:       os.Getenv(EnvAccountID),
		AccessKeyID:     os.Getenv(EnvAccessKeyID),
		SecretAccessKey: os.Getenv(EnvSecretAccessKey),
		Bucket:          os.Getenv(EnvBucket),
		PublicBaseURL:   os.Getenv(EnvPublicBaseURL),
		Endpoint:        os.Getenv(EnvEndpoint),
	}
	if missing := envconf.Missing(
		envconf.Var{Name: EnvAccountID, Value: c.AccountID + c.Endpoint}, // either names the endpoint
		envconf.Var{Name: EnvAccessKeyID, Value: c.AccessKeyID},
		envconf.Var{Name: EnvSecretAccessKey, Value: c.SecretAccessKey},
		envconf.Var{Name: EnvBucket, Value: c.Bucket},
	); len(missing) > 0 {
		return Config{}, mediastore.NewError("r2.ConfigFromEnv", Name, "", mediastore.ErrInvalid,
			errors.New("missing environment variables: "+strings.Join(missing, ", ")))
	}
	pathStyle, err := envconf.Bool(EnvForcePathStyle)
	if err != nil {
		return Config{}, mediastore.NewError("r2.ConfigFromEnv", Name, "", mediastore.ErrInvalid, err)
	}
	c.UsePathStyle = pathStyle
	if c.CreateOnly, err = envconf.Bool(EnvCreateOnly); err != nil {
		return Config{}, mediastore.NewError("r2.ConfigFromEnv", Name, "", mediastore.ErrInvalid, err)
	}
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
	return fmt.Sprintf("r2.Config{AccountID:%q AccessKeyID:%q SecretAccessKey:%q Bucket:%q PublicBaseURL:%q Endpoint:%q UsePathStyle:%v CreateOnly:%v}",
		c.AccountID, redact(c.AccessKeyID), redact(c.SecretAccessKey), c.Bucket, c.PublicBaseURL, c.Endpoint, c.UsePathStyle, c.CreateOnly)
}

// GoString is String, so that %#v does not print the credentials either.
func (c Config) GoString() string { return c.String() }

// LogValue describes c to log/slog without its credentials.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("account_id", c.AccountID),
		slog.String("access_key_id", redact(c.AccessKeyID)),
		slog.String("secret_access_key", redact(c.SecretAccessKey)),
		slog.String("bucket", c.Bucket),
		slog.String("public_base_url", c.PublicBaseURL),
		slog.String("endpoint", c.Endpoint),
		slog.Bool("use_path_style", c.UsePathStyle),
		slog.Bool("create_only", c.CreateOnly),
	)
}
