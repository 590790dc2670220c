package s3compat

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Limits of the S3 API that Config and Put respect.
const (
	// MinPartSize is the smallest part of a multipart upload but the last.
	MinPartSize = 5 << 20
	// MaxPartSize is the largest part of a multipart upload.
	MaxPartSize = 5 << 30
	// MaxParts is the most parts a multipart upload may have.
	MaxParts = 10000
	// MaxExpiry is the longest a presigned URL may stay valid (SigV4).
	MaxExpiry = 7 * 24 * time.Hour
)

// Defaults of Config.
const (
	DefaultName               = "s3"
	DefaultRegion             = "us-east-1"
	DefaultDirectUploadExpiry = 5 * time.Minute
	DefaultPartSize           = 8 << 20
	DefaultConcurrency        = 2
	DefaultMultipartThreshold = 100 << 20
	// DefaultURLExpiry is the validity of a presigned GET when
	// mediastore.URLOptions.Expiry is zero.
	DefaultURLExpiry = 15 * time.Minute
)

// Config configures a [Provider]. Bucket, AccessKeyID and SecretAccessKey
// are required; every other field has a default. Config implements
// fmt.Stringer and slog.LogValuer without its credentials.
type Config struct {
	// Name identifies the provider in File.Provider. Defaults to "s3".
	Name string
	// Endpoint is the base URL of the S3 API, such as
	// "https://ACCOUNT.r2.cloudflarestorage.com" or
	// "http://127.0.0.1:7070". Defaults to AWS S3's endpoint for Region.
	Endpoint string
	// Region is the signing region. Defaults to "us-east-1".
	Region string
	// Bucket holds the objects. Required.
	Bucket string
	// AccessKeyID and SecretAccessKey are the credentials. Required. They
	// never appear in errors, logs or String.
	AccessKeyID     string
	SecretAccessKey string
	// PublicBaseURL, when set, is the public address of the bucket (a CDN
	// or custom domain): URL returns it joined with the escaped key. When
	// empty the bucket is private and URL presigns a GET. Defaults to "".
	PublicBaseURL string
	// UsePathStyle addresses the bucket in the path
	// (ENDPOINT/BUCKET/KEY) instead of the host, as local servers need.
	// Defaults to false.
	UsePathStyle bool
	// DirectUploadExpiry is the validity of a direct-upload ticket when
	// mediastore.DirectOptions.Expiry is zero. At most 7 days. Defaults to
	// 5 minutes.
	DirectUploadExpiry time.Duration
	// MultipartThreshold is the largest stream of known size that goes in
	// one PutObject, streamed as it is read without any buffer; larger
	// ones go in a multipart upload. A single PUT is as fast as the
	// network allows and holds no memory, but cannot be retried half-way;
	// multipart parts are buffered, so a failed part is retried. From
	// PartSize to 5 GiB. Defaults to 100 MiB (AWS's advice: multipart from
	// 100 MB).
	MultipartThreshold int64
	// PartSize is the part size of multipart uploads, from 5 MiB to 5 GiB.
	// A stream of unknown size is read into a part buffer first and sent
	// in one PutObject when it fits. A Put holds at most
	// (Concurrency+1) × PartSize bytes of part buffers, and a stream of
	// unknown size may be at most 10,000 × PartSize bytes. Defaults to 8
	// MiB.
	PartSize int64
	// Concurrency is how many parts of one Put upload at the same time.
	// Defaults to 2.
	Concurrency int
	// SHA256Checksums says the service supports x-amz-checksum-sha256: a
	// direct-upload ticket then signs the SHA-256 the client declared, so
	// the service refuses other bytes, and Stat reports the stored
	// checksum. Leave it false for services that reject checksum headers
	// (Backblaze B2). Defaults to false.
	SHA256Checksums bool
	// CreateOnly makes a direct-upload ticket sign If-None-Match: *, so
	// the service refuses a PUT onto a key that already holds an object
	// (412 Precondition Failed): a ticket then uploads once, and cannot
	// replace the object after ConfirmUpload has checked it. The client
	// must send the header, which the ticket lists in Headers. Without it
	// a ticket can be replayed until it expires, and a replay after the
	// confirm replaces checked bytes with unchecked ones. Supported by AWS
	// S3, Cloudflare R2 and versitygw; Backblaze B2's S3 API does not list
	// the header. Defaults to false, because the guides' browser code sends
	// only Content-Type.
	CreateOnly bool
	// HTTPClient sends the requests. Defaults to the SDK's client.
	HTTPClient *http.Client
	// S3Options are applied last to the s3.Options of the client, for
	// settings this Config does not name (retries, logging, tracing).
	S3Options []func(*s3.Options)
}

// withDefaults returns c with its defaults applied.
func (c Config) withDefaults() Config {
	if c.Name == "" {
		c.Name = DefaultName
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.DirectUploadExpiry == 0 {
		c.DirectUploadExpiry = DefaultDirectUploadExpiry
	}
	if c.PartSize == 0 {
		c.PartSize = DefaultPartSize
	}
	if c.MultipartThreshold == 0 {
		c.MultipartThreshold = max(DefaultMultipartThreshold, c.PartSize)
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	c.Endpoint = strings.TrimRight(c.Endpoint, "/")
	c.PublicBaseURL = strings.TrimRight(c.PublicBaseURL, "/")
	return c
}

// validate reports the first invalid field of a Config with defaults.
func (c *Config) validate() error {
	switch {
	case c.Bucket == "":
		return errors.New("Config.Bucket is required")
	case c.AccessKeyID == "":
		return errors.New("Config.AccessKeyID is required")
	case c.SecretAccessKey == "":
		return errors.New("Config.SecretAccessKey is required")
	case c.DirectUploadExpiry < time.Second || c.DirectUploadExpiry > MaxExpiry:
		return errors.New("Config.DirectUploadExpiry must be from 1s to 7 days")
	case c.PartSize < MinPartSize || c.PartSize > MaxPartSize:
		return errors.New("Config.PartSize must be from 5 MiB to 5 GiB")
	case c.MultipartThreshold < c.PartSize || c.MultipartThreshold > MaxPartSize:
		return errors.New("Config.MultipartThreshold must be from PartSize to 5 GiB")
	case c.Concurrency < 1:
		return errors.New("Config.Concurrency must be positive")
	}
	if c.Endpoint != "" && !isHTTPURL(c.Endpoint) {
		return errors.New("Config.Endpoint must be an http or https URL")
	}
	if c.PublicBaseURL != "" && !isHTTPURL(c.PublicBaseURL) {
		return errors.New("Config.PublicBaseURL must be an http or https URL")
	}
	return nil
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

func redact(s string) string {
	if s == "" {
		return ""
	}
	return "REDACTED"
}

// String describes c without its credentials.
func (c Config) String() string {
	return fmt.Sprintf("s3compat.Config{Name:%q Endpoint:%q Region:%q Bucket:%q AccessKeyID:%q SecretAccessKey:%q PublicBaseURL:%q UsePathStyle:%v CreateOnly:%v}",
		c.Name, c.Endpoint, c.Region, c.Bucket, redact(c.AccessKeyID), redact(c.SecretAccessKey), c.PublicBaseURL, c.UsePathStyle, c.CreateOnly)
}

// GoString is String, so that %#v does not print the credentials either.
func (c Config) GoString() string { return c.String() }

// LogValue describes c to log/slog without its credentials.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", c.Name),
		slog.String("endpoint", c.Endpoint),
		slog.String("region", c.Region),
		slog.String("bucket", c.Bucket),
		slog.String("access_key_id", redact(c.AccessKeyID)),
		slog.String("secret_access_key", redact(c.SecretAccessKey)),
		slog.String("public_base_url", c.PublicBaseURL),
		slog.Bool("use_path_style", c.UsePathStyle),
		slog.Bool("create_only", c.CreateOnly),
	)
}
