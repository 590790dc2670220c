package cloudinary

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/mediastore/mediastore"
)

// maxTicketLife is how long Cloudinary accepts an upload signature after
// its timestamp.
const maxTicketLife = time.Hour

// PrepareDirect returns the signed upload parameters for a browser upload
// to key: a POST of multipart/form-data to
// APIBaseURL/v1_1/<cloud>/<resource_type>/upload ("auto" when the type is
// unknown) with every entry of Ticket.Fields (api_key, timestamp,
// signature, public_id, overwrite=false, and type unless it is "upload")
// and the file in the field "file". overwrite=false is signed so that the
// ticket cannot replace the asset once it is confirmed. The ticket never
// holds the secret. Its Key is always the "auto" key form of the asset
// ("auto/upload/<public_id>"), whatever the upload URL's resource type, so
// that [Provider.DirectKey] can name it from Cloudinary's upload response
// alone; [Provider.VerifyDirect] returns the key with the resource type
// Cloudinary stored ("image/upload/<public_id>"), which the Client records.
// It expires after opts.Expiry, at most one hour, the life of a Cloudinary
// signature. Cloudinary cannot enforce opts.Size, MaxSize or SHA256: the
// Client checks them at confirm.
func (p *Provider) PrepareDirect(ctx context.Context, key string, opts *mediastore.DirectOptions) (*mediastore.Ticket, error) {
	rt := resourceTypeOf(opts.ResourceType, opts.ContentType, key)
	target, ok := p.mapKey(key, rt)
	if !ok {
		return nil, p.invalidKey("PrepareDirect", key)
	}
	now := p.cfg.Test.Now()
	fields := url.Values{
		"public_id": {target.PublicID},
		"overwrite": {"false"},
		"timestamp": {p.timestamp()},
	}
	if target.Type != "upload" {
		fields.Set("type", target.Type)
	}
	if err := p.signRequest(fields); err != nil {
		return nil, p.wrapErr("PrepareDirect", key, err)
	}
	life := opts.Expiry
	if life <= 0 || life > maxTicketLife {
		life = maxTicketLife
	}
	t := &mediastore.Ticket{
		Key:       ref{ResourceType: "auto", Type: target.Type, PublicID: target.PublicID}.Key(),
		Method:    http.MethodPost,
		URL:       p.apiURL(rt, "upload"),
		Fields:    make(map[string]string, len(fields)),
		FileField: "file",
		ExpiresAt: now.Add(life),
	}
	for k := range fields {
		t.Fields[k] = fields.Get(k)
	}
	return t, nil
}

// VerifyDirect returns what Cloudinary stores for the direct upload to key.
// proof holds the fields of Cloudinary's upload response that the client
// posts back, all optional: "public_id" must be the one issued for key
// (else an ErrForbidden error); "version" and "signature", when present,
// must carry Cloudinary's response signature (hex SHA of
// "public_id=<id>&version=<v>" + secret, compared in constant time; else an
// ErrForbidden error); "resource_type" is a hint for an "auto" key. Either
// way the attributes come from the Admin API, never from the client; a
// resource that does not exist is an ErrNotFound error. The returned Key
// carries the resource type Cloudinary stored.
func (p *Provider) VerifyDirect(ctx context.Context, key string, proof map[string]string) (*mediastore.Object, error) {
	r, ok := p.refOf(key)
	if !ok {
		return nil, p.invalidKey("VerifyDirect", key)
	}
	forbidden := func(msg string) error {
		return mediastore.NewError("cloudinary.VerifyDirect", "cloudinary", key, mediastore.ErrForbidden, errors.New(msg))
	}
	if id := proof["public_id"]; id != "" && id != r.PublicID {
		return nil, forbidden("public_id was not issued for this key")
	}
	version, sig := proof["version"], proof["signature"]
	if version != "" || sig != "" {
		if version == "" || sig == "" || !isDigits(version) {
			return nil, forbidden("the upload proof needs both version and signature")
		}
		if !equalHex(sig, responseSignature(r.PublicID, version, p.cfg.APISecret, p.cfg.SignatureAlgorithm)) {
			return nil, forbidden("the upload response signature does not match")
		}
	}
	if hint := proof["resource_type"]; r.ResourceType == "auto" && (hint == "image" || hint == "video" || hint == "raw") {
		h := r
		h.ResourceType = hint
		if a, err := p.getAsset(ctx, "VerifyDirect", key, h); err == nil {
			return a.object(), nil
		} else if !errors.Is(err, mediastore.ErrNotFound) {
			return nil, err
		}
	}
	a, err := p.getAsset(ctx, "VerifyDirect", key, r)
	if err != nil {
		return nil, err
	}
	return a.object(), nil
}

func isDigits(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// DirectKey returns the ticket key that a client's report of a direct
// upload names: "auto/<type>/<public_id>" (the key form of every ticket of
// [Provider.PrepareDirect]) from the public_id and type of Cloudinary's
// upload response ("type" defaults to Config.DeliveryType). resource_type
// is not part of the key, because a ticket prepared without a type does not
// know it; when present it must be image, video or raw, and VerifyDirect
// uses it as a hint. It does no I/O and proves nothing; VerifyDirect checks
// the proof.
func (p *Provider) DirectKey(proof map[string]string) (string, error) {
	r := ref{ResourceType: "auto", Type: cmpOr(proof["type"], p.cfg.DeliveryType), PublicID: proof["public_id"]}
	rt := proof["resource_type"]
	if rt != "" && rt != "image" && rt != "video" && rt != "raw" ||
		!validDeliveryType(r.Type) || r.PublicID == "" || len(r.PublicID) > maxPublicIDLen || sanitizePath(r.PublicID) != r.PublicID {
		return "", mediastore.NewError("cloudinary.DirectKey", "cloudinary", "", mediastore.ErrInvalid,
			errors.New("the proof needs the public_id of Cloudinary's upload response"))
	}
	return r.Key(), nil
}
