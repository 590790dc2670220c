package cloudinary

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/mediastore/mediastore"
)

// Provider stores media at Cloudinary. It is safe for concurrent use.
type Provider struct {
	cfg Config
}

var (
	_ mediastore.Provider       = (*Provider)(nil)
	_ mediastore.DirectUploader = (*Provider)(nil)
	_ mediastore.DirectVerifier = (*Provider)(nil)
	_ mediastore.DirectKeyer    = (*Provider)(nil)
	_ mediastore.Transformer    = (*Provider)(nil)
	_ mediastore.RangeReader    = (*Provider)(nil)
)

// New returns a Provider for cfg, with the defaults applied. The error
// names the first invalid field.
func New(cfg Config) (*Provider, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, mediastore.NewError("cloudinary.New", "cloudinary", "", mediastore.ErrInvalid, err)
	}
	return &Provider{cfg: cfg}, nil
}

// Name returns "cloudinary".
func (p *Provider) Name() string { return "cloudinary" }

// String describes the provider without credentials.
func (p *Provider) String() string {
	return fmt.Sprintf("cloudinary.Provider{cloud: %q, type: %q}", p.cfg.CloudName, p.cfg.DeliveryType)
}

// GoString is String, so that %#v never prints credentials.
func (p *Provider) GoString() string { return p.String() }

func (p *Provider) timestamp() string {
	return strconv.FormatInt(p.cfg.Test.Now().Unix(), 10)
}

// Stat reports the asset at key through the Admin API ("get details of a
// single resource", HTTP Basic auth). A key whose resource type is still
// "auto" is looked up as an image, a video and a raw file. Missing: an
// ErrNotFound error.
func (p *Provider) Stat(ctx context.Context, key string) (*mediastore.Object, error) {
	r, ok := p.refOf(key)
	if !ok {
		return nil, p.invalidKey("Stat", key)
	}
	a, err := p.getAsset(ctx, "Stat", key, r)
	if err != nil {
		return nil, err
	}
	return a.object(), nil
}

// Delete destroys the asset at key (Upload API destroy with
// invalidate=true, so that CDN caches are purged). Cloudinary's
// {"result":"not found"} counts as deleted.
func (p *Provider) Delete(ctx context.Context, key string) error {
	r, ok := p.refOf(key)
	if !ok {
		return p.invalidKey("Delete", key)
	}
	for _, rt := range concreteTypes(r) {
		params := url.Values{
			"public_id":  {r.PublicID},
			"type":       {r.Type},
			"invalidate": {"true"},
		}
		if err := p.signRequest(params); err != nil {
			return p.wrapErr("Delete", key, err)
		}
		body := params.Encode()
		var res struct {
			Result string `json:"result"`
		}
		err := p.do(ctx, request{
			method:        http.MethodPost,
			url:           p.apiURL(rt, "destroy"),
			body:          stringReader(body),
			contentLength: int64(len(body)),
			contentType:   "application/x-www-form-urlencoded",
			timeout:       true,
		}, &res)
		if err != nil {
			return p.wrapErr("Delete", key, err)
		}
		if res.Result != "ok" && res.Result != "not found" {
			return p.wrapErr("Delete", key, &APIError{StatusCode: http.StatusOK, Message: "destroy result " + strconv.Quote(p.redact([]byte(res.Result), 100))})
		}
	}
	return nil
}

func (p *Provider) invalidKey(op, key string) error {
	return mediastore.NewError("cloudinary."+op, "cloudinary", key, mediastore.ErrInvalid,
		fmt.Errorf("key does not map to a Cloudinary public ID"))
}
