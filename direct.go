package mediastore

import (
	"context"
	"errors"
	"io"
	"strings"
)

// PrepareRequest is what a client declares before a direct upload. Every
// field is a claim: ConfirmUpload checks the real object against it.
type PrepareRequest struct {
	// Filename is the client's file name; it is sanitized and its
	// extension kept in the key.
	Filename string
	// ContentType is the declared MIME type, or "". When declared it must
	// be allowed by Config.AllowedTypes, and providers that can sign it
	// refuse an upload of another type. Either way ConfirmUpload judges the
	// type sniffed from the object's bytes.
	ContentType string
	// Size is the declared length in bytes, or 0 when the client does not
	// declare one. Providers that can sign it refuse another length.
	Size int64
	// SHA256 is the declared lowercase hex SHA-256, or "".
	SHA256 string
}

// ConfirmRequest is the client's report that a direct upload finished.
// Anything else the client sends (a URL, a size, a type) is ignored.
type ConfirmRequest struct {
	// Key is the Ticket's key. It may be empty when the provider is a
	// [DirectKeyer] and Proof names the upload.
	Key string
	// Proof holds the provider's evidence of the upload, for providers that
	// verify one (Cloudinary: "version" and "signature" of its upload
	// response; Uploadcare: "uuid"). It may be empty.
	Proof map[string]string
	// RejectRecorded makes a confirm of a key that is already recorded an
	// ErrConflict error, for APIs that report replays, instead of returning
	// the recorded file (the default, which makes retries safe).
	RejectRecorded bool
}

// extraIntent marks the rows of direct-upload intents, so that only they
// can be confirmed.
const extraIntent = "mediastore_intent"

// PrepareUpload records a pending intent for owner and returns the ticket
// the client uses to upload straight to the provider. The key is generated
// by the library and bound to owner; the ticket expires after
// Config.TicketExpiry. It returns an ErrUnsupported error when the
// provider has no [DirectUploader].
func (c *Client) PrepareUpload(ctx context.Context, owner string, req *PrepareRequest) (*Ticket, error) {
	const op = "PrepareUpload"
	if err := c.checkOwner(op, owner); err != nil {
		return nil, err
	}
	if c.direct == nil {
		return nil, c.errorf(op, "", ErrUnsupported, nil)
	}
	var r PrepareRequest
	if req != nil {
		r = *req
	}
	switch {
	case r.Size < 0:
		return nil, c.errorf(op, "", ErrInvalid, errors.New("negative size"))
	case r.Size > c.cfg.MaxSize:
		return nil, c.errorf(op, "", ErrTooLarge, nil)
	case r.SHA256 != "" && !isHexSHA256(r.SHA256):
		return nil, c.errorf(op, "", ErrInvalid, errors.New("sha256 must be 64 lowercase hex digits"))
	}
	// An undeclared type stays empty: the provider then accepts any type
	// (Cloudinary's auto upload) and the confirm judges the bytes.
	ctype, rtype := "", ""
	if r.ContentType != "" {
		ctype = mediaType(r.ContentType)
		if strings.Count(ctype, "/") != 1 || strings.ContainsAny(ctype, " *") || len(ctype) > 255 {
			return nil, c.errorf(op, "", ErrInvalid, errors.New("content type must be type/subtype"))
		}
		if !typeAllowed(c.cfg.AllowedTypes, ctype) {
			return nil, c.errorf(op, "", ErrTypeNotAllowed, errors.New("declared "+ctype))
		}
		rtype = resourceType(ctype)
	}
	filename := SanitizeFilename(r.Filename)
	key := makeKey(owner, c.newID(), filename, ctype)
	size := int64(-1)
	if r.Size > 0 {
		size = r.Size
	}
	// Signing a ticket is local work; the ticket is handed out only once
	// the intent is recorded, so an owner who may not write gets none.
	t, err := c.direct.PrepareDirect(ctx, key, &DirectOptions{
		ContentType: ctype, ResourceType: rtype, Size: size, MaxSize: c.cfg.MaxSize,
		SHA256: r.SHA256, Filename: filename, Expiry: c.cfg.TicketExpiry,
	})
	if err != nil {
		return nil, c.wrap(op, key, ErrProvider, err)
	}
	if t.Key == "" {
		t.Key = key
	}
	if _, err := c.s.Insert(ctx, &InsertParams{
		Owner: owner, Provider: c.p.Name(), Key: t.Key, Status: StatusPending,
		Filename: filename, ContentType: ctype, ResourceType: rtype, Size: r.Size, SHA256: r.SHA256,
		Extra: map[string]any{extraIntent: "direct"}, ExpiresAt: c.expiry(c.cfg.PendingTTL),
	}); err != nil {
		return nil, c.wrap(op, t.Key, ErrStore, err)
	}
	return t, nil
}

// ConfirmUpload is the one verified finalize step of a direct upload. The
// key must have been issued to owner and not have expired; the provider
// must really hold the object; its size, its type (sniffed from its first
// bytes where the provider can read them) and its checksum must fit the
// limits and the intent. Only then the row becomes ready, with what the
// provider reports. An object that breaks the limits is deleted. Confirming
// twice returns the same file.
func (c *Client) ConfirmUpload(ctx context.Context, owner string, req *ConfirmRequest) (*File, error) {
	const op = "ConfirmUpload"
	if err := c.checkOwner(op, owner); err != nil {
		return nil, err
	}
	if req == nil {
		return nil, c.errorf(op, "", ErrInvalid, errors.New("a key from a ticket is required"))
	}
	key := req.Key
	if key == "" && c.keyer != nil {
		k, err := c.keyer.DirectKey(req.Proof)
		if err != nil {
			return nil, c.wrap(op, "", ErrInvalid, err)
		}
		key = k
	}
	if key == "" || len(key) > 1024 {
		return nil, c.errorf(op, "", ErrInvalid, errors.New("a key from a ticket is required"))
	}
	req = &ConfirmRequest{Key: key, Proof: req.Proof, RejectRecorded: req.RejectRecorded}
	f, err := c.s.GetByKey(ctx, &GetByKeyParams{Owner: owner, Provider: c.p.Name(), Key: key})
	if errors.Is(err, ErrNotFound) {
		return c.confirmedBefore(ctx, owner, req)
	}
	if err != nil {
		return nil, c.wrap(op, key, ErrStore, err)
	}
	switch {
	case f.Status == StatusReady:
		return c.recorded(f, req)
	case f.Status != StatusPending:
		return nil, c.errorf(op, key, ErrNotFound, nil)
	case f.Extra[extraIntent] != "direct":
		return nil, c.errorf(op, key, ErrForbidden, errors.New("the key was not issued for a direct upload"))
	case !c.now().Before(f.ExpiresAt):
		return nil, c.errorf(op, key, ErrForbidden, errors.New("the ticket has expired"))
	}

	obj, head, err := c.verify(ctx, f, req.Proof)
	if err != nil {
		return nil, c.wrap(op, key, ErrProvider, err)
	}
	if obj.Key == "" {
		obj.Key = key
	}
	rec, reason, err := c.check(ctx, f, obj, head)
	if err != nil {
		return nil, c.wrap(op, key, ErrProvider, err)
	}
	if reason != nil {
		c.reject(ctx, f, obj.Key)
		return nil, reason
	}
	out, err := c.record(ctx, op, f, rec)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// confirmedBefore answers a confirm whose key has no row: when the
// provider assigns its own keys, the row of an earlier confirm carries the
// provider's key, which the proof leads to.
func (c *Client) confirmedBefore(ctx context.Context, owner string, req *ConfirmRequest) (*File, error) {
	const op = "ConfirmUpload"
	if c.verifier != nil && len(req.Proof) > 0 {
		if obj, err := c.verifier.VerifyDirect(ctx, req.Key, req.Proof); err == nil && obj.Key != "" && obj.Key != req.Key {
			f, err := c.s.GetByKey(ctx, &GetByKeyParams{Owner: owner, Provider: c.p.Name(), Key: obj.Key})
			if err == nil && f.Status == StatusReady {
				return c.recorded(f, req)
			}
		}
	}
	return nil, c.errorf(op, req.Key, ErrForbidden, errors.New("the key was not issued to this owner"))
}

// recorded answers a confirm of a file that is already ready.
func (c *Client) recorded(f *File, req *ConfirmRequest) (*File, error) {
	if req.RejectRecorded {
		return nil, c.errorf("ConfirmUpload", f.Key, ErrConflict, errors.New("the upload is already recorded"))
	}
	return f, nil
}

// verify asks the provider what it really holds for the direct upload of
// f, and, from a StatReader, the object's first bytes in the same request
// (else head is nil and check reads them). A declared checksum needs
// Stat, which reports the stored one.
func (c *Client) verify(ctx context.Context, f *File, proof map[string]string) (obj *Object, head []byte, err error) {
	switch {
	case c.verifier != nil:
		obj, err = c.verifier.VerifyDirect(ctx, f.Key, proof)
	case c.statRead != nil && f.SHA256 == "":
		obj, head, err = c.statRead.StatRead(ctx, f.Key, sniffLen)
		if err == nil && head == nil {
			head = []byte{} // read, and empty
		}
	default:
		obj, err = c.p.Stat(ctx, f.Key)
	}
	return obj, head, err
}

// check compares what the provider holds with the limits and the intent;
// head, when not nil, is the object's first bytes, already read. It
// returns the attributes to record, or a reason to refuse the object.
func (c *Client) check(ctx context.Context, f *File, obj *Object, head []byte) (*Object, error, error) {
	const op = "ConfirmUpload"
	if obj.Size > c.cfg.MaxSize {
		return nil, c.errorf(op, f.Key, ErrTooLarge, nil), nil
	}
	if obj.Size <= 0 {
		return nil, c.errorf(op, f.Key, ErrInvalid, errEmpty), nil
	}
	if f.Size > 0 && obj.Size != f.Size {
		return nil, c.errorf(op, f.Key, ErrInvalid, errSizeMismatch), nil
	}
	if f.SHA256 != "" && obj.SHA256 != "" && obj.SHA256 != f.SHA256 {
		return nil, c.errorf(op, f.Key, ErrInvalid, errors.New("checksum differs from the declared one")), nil
	}
	ctype := obj.ContentType
	if head == nil && c.ranger != nil {
		rc, err := c.ranger.ReadRange(ctx, obj.Key, 0, sniffLen)
		if err != nil {
			return nil, nil, err
		}
		head, err = io.ReadAll(io.LimitReader(rc, sniffLen))
		rc.Close()
		if err != nil {
			return nil, nil, err
		}
	}
	if head != nil {
		ctype = sniff(head[:min(len(head), sniffLen)])
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	if !typeAllowed(c.cfg.AllowedTypes, ctype) {
		return nil, c.errorf(op, f.Key, ErrTypeNotAllowed, errors.New("detected "+mediaType(ctype))), nil
	}
	rec := *obj
	rec.ContentType = ctype
	if rec.ResourceType == "" {
		rec.ResourceType = resourceType(ctype)
	}
	return &rec, nil, nil
}

// reject deletes an object that broke the limits, then its intent. The
// intent is first turned into a deleting tombstone (with the object's real
// key): when another confirm (of a Client with other limits) has recorded
// the file meanwhile, the compare-and-set fails and the object stays with
// its ready row.
func (c *Client) reject(ctx context.Context, f *File, objKey string) {
	cctx, cancel := cleanupContext(ctx)
	defer cancel()
	var obj *Object
	if objKey != f.Key {
		obj = &Object{Key: objKey} // so the sweeper finds it
	}
	if _, err := c.s.SetStatus(cctx, &SetStatusParams{ID: f.ID, Owner: f.Owner, From: StatusPending, To: StatusDeleting,
		Object: obj, ExpiresAt: c.expiry(c.cfg.DeleteRetry)}); err != nil {
		c.log.Warn("mediastore: a refused upload's intent could not be tombstoned; its object stays for the row or the sweeper", "id", f.ID, "key", objKey, "err", err)
		return
	}
	if err := c.p.Delete(cctx, objKey); err != nil {
		c.log.Warn("mediastore: a refused upload's object was left to the sweeper", "key", objKey, "err", err)
		return
	}
	if err := c.s.Delete(cctx, &DeleteParams{ID: f.ID, Owner: f.Owner, Status: StatusDeleting}); err != nil && !errors.Is(err, ErrNotFound) {
		c.log.Warn("mediastore: a refused upload's intent was left to the sweeper", "id", f.ID, "err", err)
	}
}

// record makes a pending row ready with rec. With a two-phase provider the
// row first learns the object's real key, then the object is committed.
func (c *Client) record(ctx context.Context, op string, f *File, rec *Object) (*File, error) {
	if rec.Extra == nil {
		rec.Extra = map[string]any{} // the provider's extras replace the intent's marker
	}
	if c.committer != nil {
		if _, err := c.s.SetStatus(ctx, &SetStatusParams{ID: f.ID, Owner: f.Owner, From: StatusPending, To: StatusPending,
			Object: &Object{Key: rec.Key}, ExpiresAt: f.ExpiresAt}); err != nil {
			return nil, c.wrap(op, rec.Key, ErrStore, err)
		}
		if err := c.committer.Commit(ctx, rec.Key); err != nil {
			return nil, c.wrap(op, rec.Key, ErrProvider, err)
		}
	}
	ready, err := c.s.SetStatus(ctx, &SetStatusParams{ID: f.ID, Owner: f.Owner, From: StatusPending, To: StatusReady, Object: rec})
	if err != nil {
		return nil, c.wrap(op, rec.Key, ErrStore, err)
	}
	return ready, nil
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}
