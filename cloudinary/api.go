package cloudinary

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/mediastore/mediastore"
)

// APIError is a Cloudinary call that failed with an HTTP status. It is the
// cause inside the *mediastore.Error that the provider returns (reach it
// with errors.As). Credentials and signatures are removed from it.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Message is Cloudinary's error message ({"error":{"message":...}}
	// or the X-Cld-Error header), redacted and truncated.
	Message string
	// Body is the start of the response body, redacted and truncated.
	Body string
}

// Error formats the status and Cloudinary's message.
func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Body
	}
	if msg == "" {
		return fmt.Sprintf("cloudinary: HTTP %d", e.StatusCode)
	}
	return fmt.Sprintf("cloudinary: HTTP %d: %s", e.StatusCode, msg)
}

// kind is the sentinel an API failure maps to.
func (e *APIError) kind() error {
	switch {
	case e.StatusCode == http.StatusNotFound:
		return mediastore.ErrNotFound
	case e.StatusCode == http.StatusRequestEntityTooLarge,
		e.StatusCode == http.StatusBadRequest && strings.HasPrefix(e.Message, "File size too large"):
		return mediastore.ErrTooLarge
	case e.StatusCode == http.StatusConflict:
		return mediastore.ErrConflict
	case e.StatusCode == http.StatusBadRequest && ourFault(e.Message):
		return mediastore.ErrProvider
	case e.StatusCode == http.StatusBadRequest:
		// Content Cloudinary refuses ("Invalid image file", "Empty file").
		return mediastore.ErrInvalid
	}
	// 401/403 (credentials, signature, clock), 420/429, 5xx.
	return mediastore.ErrProvider
}

// ourFaults start the messages of 400 answers caused by the provider's
// configuration or clock rather than by the caller's content.
var ourFaults = []string{"Stale request", "Invalid Signature", "Missing required parameter", "Invalid timestamp",
	"Upload preset", "Invalid cloud_name", "Unknown API key", "Must supply"}

func ourFault(msg string) bool {
	for _, f := range ourFaults {
		if strings.HasPrefix(msg, f) {
			return true
		}
	}
	return false
}

// transportError is a failed round trip without the request URL, which
// may carry a delivery signature. Its message is redacted, as the cause
// may quote a malformed response line; the cause chain (context.Canceled
// and the like) stays reachable through Unwrap.
type transportError struct {
	method string
	msg    string
	err    error
}

// transportErr makes the transportError of a failed method request.
func (p *Provider) transportErr(method string, err error) *transportError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &transportError{method: method, msg: p.redact([]byte(err.Error()), 512), err: err}
}

func (e *transportError) Error() string {
	return "cloudinary: " + e.method + " request failed: " + e.msg
}

func (e *transportError) Unwrap() error { return e.err }

// wrapErr is interpretError: the one translation of a failure into the
// library's vocabulary.
func (p *Provider) wrapErr(op, key string, err error) error {
	if err == nil {
		return nil
	}
	var me *mediastore.Error
	if errors.As(err, &me) {
		return err
	}
	kind := mediastore.ErrProvider
	var ae *APIError
	if errors.As(err, &ae) {
		kind = ae.kind()
	}
	return mediastore.NewError("cloudinary."+op, "cloudinary", key, kind, err)
}

// maxResponse bounds the API responses read into memory.
const maxResponse = 4 << 20

// request is one API call.
type request struct {
	method        string
	url           string
	body          io.Reader
	contentLength int64 // -1 when unknown
	contentType   string
	header        http.Header
	basicAuth     bool
	timeout       bool // bound by Config.Timeout
}

// do sends req and decodes the JSON answer into out. A status of 300 or
// more is an *APIError.
func (p *Provider) do(ctx context.Context, req request, out any) error {
	if req.timeout && p.cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.cfg.Timeout)
		defer cancel()
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, req.url, req.body)
	if err != nil {
		return p.transportErr(req.method, errors.New("bad request URL"))
	}
	if req.body != nil {
		hr.ContentLength = req.contentLength
	}
	for k, v := range req.header {
		hr.Header[k] = v
	}
	hr.Header.Set("User-Agent", "mediastore "+api.UserAgent)
	if req.contentType != "" {
		hr.Header.Set("Content-Type", req.contentType)
	}
	if req.basicAuth {
		hr.SetBasicAuth(p.cfg.APIKey, p.cfg.APISecret)
	}
	resp, err := p.cfg.HTTPClient.Do(hr)
	if err != nil {
		return p.transportErr(req.method, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return p.transportErr(req.method, err)
	}
	if resp.StatusCode >= 300 {
		return p.apiError(resp, body)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return &APIError{StatusCode: resp.StatusCode, Message: "response is not the expected JSON", Body: p.redact(body, 512)}
	}
	return nil
}

func (p *Provider) apiError(resp *http.Response, body []byte) *APIError {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	msg := cmpOr(e.Error.Message, resp.Header.Get("X-Cld-Error"))
	return &APIError{StatusCode: resp.StatusCode, Message: p.redact([]byte(msg), 300), Body: p.redact(body, 512)}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

var (
	hexRun       = regexp.MustCompile(`\b[0-9a-fA-F]{40}([0-9a-fA-F]{24})?\b`)
	urlSignature = regexp.MustCompile(`s--[A-Za-z0-9_-]{8,32}--`)
)

// redact removes the credentials and anything that looks like a
// signature from b and truncates it to max bytes.
func (p *Provider) redact(b []byte, max int) string {
	s := string(b)
	for _, secret := range []string{p.cfg.APISecret, p.cfg.APIKey} {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	s = hexRun.ReplaceAllString(s, "[redacted]")
	s = urlSignature.ReplaceAllString(s, "s--[redacted]--")
	s = strings.TrimSpace(s)
	if len(s) > max {
		s = truncateUTF8(s, max) + "..."
	}
	return s
}

// asset is what the Upload and Admin APIs report about an asset.
type asset struct {
	AssetID      string    `json:"asset_id"`
	PublicID     string    `json:"public_id"`
	Version      int64     `json:"version"`
	VersionID    string    `json:"version_id"`
	Signature    string    `json:"signature"`
	Width        int       `json:"width"`
	Height       int       `json:"height"`
	Format       string    `json:"format"`
	ResourceType string    `json:"resource_type"`
	Type         string    `json:"type"`
	CreatedAt    time.Time `json:"created_at"`
	Bytes        int64     `json:"bytes"`
	ETag         string    `json:"etag"`
	SecureURL    string    `json:"secure_url"`
	Existing     bool      `json:"existing"`
}

// object is the mediastore view of a.
func (a *asset) object() *mediastore.Object {
	r := ref{ResourceType: a.ResourceType, Type: a.Type, PublicID: a.PublicID}
	extra := map[string]any{
		"public_id": a.PublicID,
		"type":      a.Type,
		"version":   a.Version,
	}
	for k, v := range map[string]string{"asset_id": a.AssetID, "version_id": a.VersionID, "format": a.Format, "etag": a.ETag} {
		if v != "" {
			extra[k] = v
		}
	}
	return &mediastore.Object{
		Key:          r.Key(),
		Size:         a.Bytes,
		ContentType:  contentTypeOf(a.ResourceType, a.Format),
		ResourceType: a.ResourceType,
		ETag:         a.ETag,
		URL:          a.SecureURL,
		Width:        a.Width,
		Height:       a.Height,
		ModTime:      a.CreatedAt,
		Extra:        extra,
	}
}

// apiURL is the Upload API endpoint of action for a resource type.
func (p *Provider) apiURL(resourceType, action string) string {
	return p.cfg.APIBaseURL + "/v1_1/" + p.cfg.CloudName + "/" + resourceType + "/" + action
}

// escapePath escapes every segment of a public ID for a URL path.
func escapePath(publicID string) string {
	segs := strings.Split(publicID, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// concreteTypes are the resource types to try for r: its own, or all
// three while it is "auto".
func concreteTypes(r ref) []string {
	if r.ResourceType == "auto" {
		return []string{"image", "video", "raw"}
	}
	return []string{r.ResourceType}
}

// getAsset looks r up through the Admin API (GET resources/<rt>/<type>/<id>
// with Basic auth). It returns an ErrNotFound error when no resource type
// has it.
func (p *Provider) getAsset(ctx context.Context, op, key string, r ref) (*asset, error) {
	var lastErr error
	for _, rt := range concreteTypes(r) {
		var a asset
		err := p.do(ctx, request{
			method:    http.MethodGet,
			url:       p.cfg.APIBaseURL + "/v1_1/" + p.cfg.CloudName + "/resources/" + rt + "/" + r.Type + "/" + escapePath(r.PublicID),
			basicAuth: true,
			timeout:   true,
		}, &a)
		var ae *APIError
		if errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound {
			lastErr = err
			continue
		}
		if err != nil {
			return nil, p.wrapErr(op, key, err)
		}
		if a.PublicID == "" || a.ResourceType == "" {
			return nil, p.wrapErr(op, key, &APIError{StatusCode: http.StatusOK, Message: "resource without public_id or resource_type"})
		}
		a.Type = cmpOr(a.Type, r.Type)
		return &a, nil
	}
	return nil, p.wrapErr(op, key, lastErr)
}

func stringReader(s string) io.Reader { return strings.NewReader(s) }
