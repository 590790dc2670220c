package uploadcare

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mediastore/mediastore"
)

// defaultTicketTTL is the life of a ticket when DirectOptions.Expiry is zero.
const defaultTicketTTL = 15 * time.Minute

// PrepareDirect returns the ticket for a browser upload to key: a
// multipart/form-data POST to <UploadBaseURL>/base/ with the Fields
// (UPLOADCARE_PUB_KEY, UPLOADCARE_STORE=0, metadata[mediastore_key]=key
// (or its digest, see [Provider.Put]),
// and with signed uploads signature and expire) followed by the file in the
// form field "file". Uploadcare answers {"file": "<uuid>"}; the client
// sends that UUID back as the proof "uuid" (see [Provider.VerifyDirect]).
//
// Uploadcare's signed uploads sign only an expiry: the declared size, type
// and checksum cannot be put in the ticket and are checked on confirm.
// Files over 100 MB cannot go through /base/.
func (p *Provider) PrepareDirect(ctx context.Context, key string, opts *mediastore.DirectOptions) (*mediastore.Ticket, error) {
	const op = "uploadcare.PrepareDirect"
	if key == "" {
		return nil, mediastore.NewError(op, Name, key, mediastore.ErrInvalid, errors.New("empty key"))
	}
	ttl := opts.Expiry
	if ttl <= 0 {
		ttl = defaultTicketTTL
	}
	expires := p.now().Add(ttl).Truncate(time.Second)
	fields := map[string]string{}
	for _, f := range p.uploadFields(key, expires) {
		fields[f.name] = f.value
	}
	return &mediastore.Ticket{
		Key:       key,
		Method:    "POST",
		URL:       p.cfg.UploadBaseURL + "/base/",
		Fields:    fields,
		FileField: "file",
		ExpiresAt: expires,
	}, nil
}

// VerifyDirect looks up the file the client uploaded with the ticket for
// key. proof["uuid"] (or proof["file"], the field of Uploadcare's answer)
// is the file's UUID. It returns Uploadcare's own values (size, MIME type,
// image dimensions, original file name) with Key = the UUID. The file must
// carry the ticket's key in its metadata: a file uploaded for another key,
// or without a ticket, is ErrForbidden. A proof without a UUID (nothing
// uploaded) and an unknown or removed file are ErrNotFound; a malformed
// UUID is ErrInvalid. The file stays temporary until
// [Provider.Commit].
func (p *Provider) VerifyDirect(ctx context.Context, key string, proof map[string]string) (*mediastore.Object, error) {
	const op = "uploadcare.VerifyDirect"
	uuid := proof["uuid"]
	if uuid == "" {
		uuid = proof["file"]
	}
	if uuid == "" {
		return nil, mediastore.NewError(op, Name, key, mediastore.ErrNotFound, errors.New(`proof has no "uuid": nothing uploaded`))
	}
	if !IsUUID(uuid) {
		return nil, mediastore.NewError(op, Name, key, mediastore.ErrInvalid, errors.New(`proof "uuid" is not a UUID`))
	}
	fi, err := p.info(ctx, op, uuid)
	if err != nil {
		return nil, err
	}
	if fi.Metadata[metadataKey] != metadataValue(key) {
		return nil, mediastore.NewError(op, Name, key, mediastore.ErrForbidden,
			fmt.Errorf("file %s was not uploaded with the ticket for this key", uuid))
	}
	return p.object(uuid, fi, false), nil
}
