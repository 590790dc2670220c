package s3compat

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/mediastore/mediastore"
)

// interpretError translates an SDK error into the library's vocabulary: a
// missing object is ErrNotFound, anything else ErrProvider. The cause stays
// in the chain (context.Canceled, smithy.APIError) with every credential
// removed from its message.
func (p *Provider) interpretError(op, key string, err error) error {
	if err == nil {
		return nil
	}
	kind := mediastore.ErrProvider
	if isNotFound(err) {
		kind = mediastore.ErrNotFound
	}
	return mediastore.NewError("s3compat."+op, p.cfg.Name, key, kind, p.scrub(err))
}

// isNotFound reports whether err says that the object does not exist. Other
// 404s (a missing bucket or multipart upload, versitygw's unknown access
// key) are provider failures: Delete must not take them for success. A
// HEAD has no body, so its 404 always reads as "NotFound".
func isNotFound(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) {
		code := api.ErrorCode()
		return code == "NoSuchKey" || code == "NotFound"
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound
}

// isInvalidRange reports whether err is a 416: a range starting at or past
// the end of the object.
func isInvalidRange(err error) bool {
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusRequestedRangeNotSatisfiable
}

// signatureParams matches the query parameters of a presigned URL that
// could help forge requests.
var signatureParams = regexp.MustCompile(`(?i)(X-Amz-(Signature|Credential|Security-Token)=)[^&\s"']*`)

// scrub returns err with the credentials and any signature removed from
// its message; errors.Is and errors.As still reach err.
func (p *Provider) scrub(err error) error {
	msg := err.Error()
	clean := signatureParams.ReplaceAllString(msg, "${1}REDACTED")
	for _, s := range []string{p.cfg.SecretAccessKey, p.cfg.AccessKeyID} {
		if s != "" {
			clean = strings.ReplaceAll(clean, s, "REDACTED")
		}
	}
	if clean == msg {
		return err
	}
	return &scrubbed{msg: clean, err: err}
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }
