package uploadcare

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/mediastore/mediastore"
)

// Name is the provider name recorded in File.Provider.
const Name = "uploadcare"

// acceptHeader selects version 0.7 of the REST API.
const acceptHeader = "application/vnd.uploadcare-v0.7+json"

// Provider stores files at Uploadcare. It is safe for concurrent use.
type Provider struct {
	cfg    Config
	secure []byte           // decoded SecureDeliverySecret, nil when unset
	now    func() time.Time // for tests
}

var (
	_ mediastore.Provider       = (*Provider)(nil)
	_ mediastore.Committer      = (*Provider)(nil)
	_ mediastore.DirectUploader = (*Provider)(nil)
	_ mediastore.DirectVerifier = (*Provider)(nil)
	_ mediastore.Transformer    = (*Provider)(nil)
	_ mediastore.RangeReader    = (*Provider)(nil)
)

// New returns a Provider for cfg after applying the defaults documented on
// [Config]. It makes no request.
func New(cfg Config) (*Provider, error) {
	cfg = cfg.withDefaults()
	secure, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	return &Provider{cfg: cfg, secure: secure, now: time.Now}, nil
}

// Name returns "uploadcare".
func (p *Provider) Name() string { return Name }

// Config returns the configuration in use, defaults applied. It holds the
// secrets: do not log it other than through its String or LogValue.
func (p *Provider) Config() Config { return p.cfg }

// String describes p without its secrets.
func (p *Provider) String() string {
	return fmt.Sprintf("uploadcare.Provider{PublicKey:%q CDNBaseURL:%q}", p.cfg.PublicKey, p.cfg.CDNBaseURL)
}

// GoString is String, so that %#v does not print the secrets either.
func (p *Provider) GoString() string { return p.String() }

// LogValue logs p's configuration without its secrets.
func (p *Provider) LogValue() slog.Value { return p.cfg.LogValue() }

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsUUID reports whether key has the form of an Uploadcare file UUID. Keys
// of any other form (a Client key of a pending row that never reached
// Uploadcare) name no file: Stat reports them missing and Delete succeeds.
func IsUUID(key string) bool { return uuidRE.MatchString(key) }

// rest makes one REST API request with the configured authentication and
// decodes a 2xx JSON answer into out (when non-nil).
func (p *Provider) rest(ctx context.Context, op, key, method, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, p.cfg.APIBaseURL+path, http.NoBody)
	if err != nil {
		return mediastore.NewError(op, Name, key, mediastore.ErrInvalid, err)
	}
	const contentType = "application/json"
	date := p.now().UTC().Format(http.TimeFormat)
	req.Header.Set("Accept", acceptHeader)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Date", date)
	if p.cfg.AuthScheme == AuthSimple {
		req.Header.Set("Authorization", AuthSimple+" "+p.cfg.PublicKey+":"+p.cfg.SecretKey)
	} else {
		uri := req.URL.EscapedPath()
		if req.URL.RawQuery != "" {
			uri += "?" + req.URL.RawQuery
		}
		sig := SignREST(p.cfg.SecretKey, method, nil, contentType, date, uri)
		req.Header.Set("Authorization", AuthSigned+" "+p.cfg.PublicKey+":"+sig)
	}
	resp, err := p.cfg.HTTPClient.Do(req)
	if err != nil {
		return p.transportError(op, key, method+" "+path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return p.interpretError(op, key, resp)
	}
	return p.decode(op, key, resp, out)
}

// decode reads a JSON answer into out (when non-nil) and drains the body.
func (p *Provider) decode(op, key string, resp *http.Response, out any) error {
	if out != nil {
		if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(out); err != nil {
			return mediastore.NewError(op, Name, key, mediastore.ErrProvider, fmt.Errorf("decoding answer: %w", err))
		}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return nil
}

// info returns the REST file info of uuid; a removed file is ErrNotFound.
func (p *Provider) info(ctx context.Context, op, uuid string) (*fileInfo, error) {
	var fi fileInfo
	if err := p.rest(ctx, op, uuid, http.MethodGet, "/files/"+uuid+"/", &fi); err != nil {
		return nil, err
	}
	if fi.DatetimeRemoved != nil {
		return nil, mediastore.NewError(op, Name, uuid, mediastore.ErrNotFound, fmt.Errorf("file removed at %s", fi.DatetimeRemoved.Format(time.RFC3339)))
	}
	return &fi, nil
}

// Stat returns what Uploadcare stores under the UUID key, stored or still
// temporary (Extra["stored"] tells which): size, MIME type, image
// dimensions, original file name (Extra["original_filename"]). A removed
// file, an unknown UUID and a key that is not a UUID are ErrNotFound.
func (p *Provider) Stat(ctx context.Context, key string) (*mediastore.Object, error) {
	const op = "uploadcare.Stat"
	if !IsUUID(key) {
		return nil, mediastore.NewError(op, Name, key, mediastore.ErrNotFound, nil)
	}
	fi, err := p.info(ctx, op, key)
	if err != nil {
		return nil, err
	}
	return p.object(key, fi, true), nil
}

// Delete removes the file with the UUID key (DELETE /files/{uuid}/storage/).
// A missing file and a key that is not a UUID are success. Delete does not
// purge copies cached by the CDN.
func (p *Provider) Delete(ctx context.Context, key string) error {
	const op = "uploadcare.Delete"
	if !IsUUID(key) {
		return nil
	}
	err := p.rest(ctx, op, key, http.MethodDelete, "/files/"+key+"/storage/", nil)
	if mediastore.KindOf(err) == mediastore.ErrNotFound {
		return nil
	}
	return err
}

// Commit stores the temporary file with the UUID key
// (PUT /files/{uuid}/storage/), so that Uploadcare keeps it beyond the 24
// hours after which it removes unstored files. Committing a stored file
// again succeeds; a missing or removed file is ErrNotFound.
func (p *Provider) Commit(ctx context.Context, key string) error {
	const op = "uploadcare.Commit"
	if !IsUUID(key) {
		return mediastore.NewError(op, Name, key, mediastore.ErrNotFound, nil)
	}
	var fi fileInfo
	if err := p.rest(ctx, op, key, http.MethodPut, "/files/"+key+"/storage/", &fi); err != nil {
		return err
	}
	if fi.DatetimeRemoved != nil {
		return mediastore.NewError(op, Name, key, mediastore.ErrNotFound, nil)
	}
	return nil
}
