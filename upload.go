package mediastore

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"sync"
	"time"
)

// UploadOptions describes a server-side upload.
type UploadOptions struct {
	// Filename is the client's file name. It is sanitized; its extension
	// is kept in the key.
	Filename string
	// Size is the exact length when the caller knows it, or 0 when it does
	// not. A stream that turns out longer or shorter fails with ErrInvalid.
	Size int64
}

// Upload streams r to the provider and records it for owner. The type is
// sniffed from the first 512 bytes and checked against Config.AllowedTypes
// before anything is written; the size limit is enforced and the SHA-256
// computed while streaming; the whole file is never held in memory.
//
// The flow is intent-first: a pending row is recorded while the stream
// starts, the object can only complete once that row exists, and the row
// becomes ready with what the provider reports. On any failure, including
// the cancellation of ctx, neither the object nor the row is left; a crash
// leaves a pending row that the [Sweeper] finishes after Config.PendingTTL.
func (c *Client) Upload(ctx context.Context, owner string, r io.Reader, opts *UploadOptions) (*File, error) {
	const op = "Upload"
	if err := c.checkOwner(op, owner); err != nil {
		return nil, err
	}
	if r == nil {
		return nil, c.errorf(op, "", ErrInvalid, errors.New("nil reader"))
	}
	var o UploadOptions
	if opts != nil {
		o = *opts
	}
	if o.Size < 0 {
		return nil, c.errorf(op, "", ErrInvalid, errors.New("negative size"))
	}
	if o.Size > c.cfg.MaxSize {
		return nil, c.errorf(op, "", ErrTooLarge, nil)
	}
	if err := ctx.Err(); err != nil {
		return nil, c.errorf(op, "", nil, err)
	}

	// Sniff the head before anything is written.
	head := make([]byte, sniffLen)
	hn, err := io.ReadFull(r, head)
	switch {
	case err == io.EOF:
		return nil, c.errorf(op, "", ErrInvalid, errEmpty)
	case err != nil && err != io.ErrUnexpectedEOF:
		return nil, c.errorf(op, "", ErrInvalid, err)
	}
	head = head[:hn]
	if int64(hn) > c.cfg.MaxSize {
		return nil, c.errorf(op, "", ErrTooLarge, nil)
	}
	if o.Size > 0 && int64(hn) > o.Size || o.Size > 0 && hn < sniffLen && int64(hn) != o.Size {
		return nil, c.errorf(op, "", ErrInvalid, errSizeMismatch)
	}
	ctype := sniff(head)
	if !typeAllowed(c.cfg.AllowedTypes, ctype) {
		return nil, c.errorf(op, "", ErrTypeNotAllowed, errors.New("detected "+mediaType(ctype)))
	}
	filename := SanitizeFilename(o.Filename)
	key := makeKey(owner, c.newID(), filename, ctype)
	rtype := resourceType(ctype)

	// Record the intent while the stream starts.
	in := &intent{done: make(chan struct{})}
	go func() {
		defer close(in.done)
		in.file, in.err = c.s.Insert(ctx, &InsertParams{
			Owner: owner, Provider: c.p.Name(), Key: key, Status: StatusPending,
			Filename: filename, ContentType: ctype, ResourceType: rtype, Size: o.Size,
			ExpiresAt: c.now().Add(c.cfg.PendingTTL),
		})
	}()

	declared := int64(-1)
	if o.Size > 0 {
		declared = o.Size
	}
	// A provider that hashes what it stores reports the digest; else the
	// stream is hashed here, as the provider reads it.
	body := &uploadReader{head: head, r: r, max: c.cfg.MaxSize, declared: declared, gate: in.wait}
	if !c.selfHash {
		body.h = sha256.New()
	}
	obj, perr := c.p.Put(ctx, key, body, &PutOptions{Size: declared, ContentType: ctype, ResourceType: rtype, Filename: filename})
	var sum string
	switch {
	case !c.selfHash:
		sum = body.sum()
	case perr == nil && obj != nil:
		sum = obj.SHA256
	}
	<-in.done

	var objKey string // the object's key once Put succeeded
	if perr == nil && obj != nil {
		objKey = obj.Key
	}
	if perr == nil && in.err == nil && body.err == nil && body.eof {
		f, err := c.finishUpload(ctx, in.file, obj, body.n, sum)
		if err == nil {
			return f, nil
		}
		perr = err
	}

	// Something failed: remove what was made.
	c.compensate(ctx, owner, in.file, key, objKey)
	switch {
	case in.err != nil:
		return nil, c.wrap(op, key, ErrStore, in.err)
	case body.err != nil:
		return nil, c.uploadErr(key, body.err, true)
	case perr != nil:
		return nil, c.uploadErr(key, perr, false)
	}
	return nil, c.errorf(op, key, ErrProvider, errors.New("provider finished before the end of the stream"))
}

// uploadErr classifies a failure of the stream (readErr) or of the
// provider's Put.
func (c *Client) uploadErr(key string, err error, readErr bool) error {
	switch {
	case errors.Is(err, errSizeMismatch), errors.Is(err, errEmpty):
		return c.errorf("Upload", key, ErrInvalid, err)
	case errors.Is(err, ErrTooLarge):
		return c.errorf("Upload", key, ErrTooLarge, nil)
	case readErr:
		// The caller's stream failed (a client hung up, a body cut short):
		// bad input unless the error says otherwise.
		return c.wrap("Upload", key, ErrInvalid, err)
	}
	return c.wrap("Upload", key, ErrProvider, err)
}

// intent is the pending row being recorded beside the stream.
type intent struct {
	done chan struct{}
	file *File
	err  error
}

// wait blocks until the row is recorded; the stream's end waits for it.
func (in *intent) wait() error {
	<-in.done
	if in.err != nil {
		return errIntentFailed
	}
	return nil
}

var errIntentFailed = errors.New("the intent row could not be recorded")

// finishUpload checks what the provider reports against what was streamed
// and turns the pending row into a ready one.
func (c *Client) finishUpload(ctx context.Context, f *File, obj *Object, n int64, sum string) (*File, error) {
	rec := *obj
	if rec.Key == "" {
		rec.Key = f.Key
	}
	if rec.Size == 0 {
		rec.Size = n
	}
	if rec.Size != n {
		return nil, c.errorf("Upload", rec.Key, ErrProvider, errors.New("the provider stored a different length than was sent"))
	}
	if !isHexSHA256(sum) {
		return nil, c.errorf("Upload", rec.Key, ErrProvider, errors.New("the provider reported no SHA-256 of what it stored"))
	}
	rec.SHA256 = sum
	rec.ContentType = f.ContentType // sniffed, authoritative over the provider's echo
	if rec.ResourceType == "" {
		rec.ResourceType = f.ResourceType
	}
	return c.record(ctx, "Upload", f, &rec)
}

// compensate removes the object and the pending row of a failed upload. It
// runs under a context that survives the caller's cancellation. The row is
// first turned from pending into a deleting tombstone (with the object's
// real key), and the object is deleted only once that succeeded: a failure
// to mark the row ready may have committed all the same (its reply lost,
// or the statement still running at the server), and then the row is
// ready, the compare-and-set fails, and the object stays with its row. A
// failed clean-up leaves a pending or deleting row for the sweeper rather
// than an object nobody knows or a ready row whose object is gone.
func (c *Client) compensate(ctx context.Context, owner string, f *File, key, objKey string) {
	cctx, cancel := cleanupContext(ctx)
	defer cancel()
	if objKey == "" {
		objKey = key
	}
	if f == nil {
		// The intent may be recorded all the same: its reply lost, or the
		// caller's context cancelled while the INSERT ran. The key is
		// unique, so a pending row with it is this upload's.
		if found, err := c.s.GetByKey(cctx, &GetByKeyParams{Owner: owner, Provider: c.p.Name(), Key: key}); err == nil && found.Status == StatusPending {
			f = found
		}
	}
	if f != nil {
		var obj *Object
		if objKey != f.Key {
			obj = &Object{Key: objKey} // so the sweeper finds it
		}
		nf, err := c.s.SetStatus(cctx, &SetStatusParams{ID: f.ID, Owner: owner, From: StatusPending, To: StatusDeleting,
			Object: obj, ExpiresAt: c.expiry(c.cfg.DeleteRetry)})
		if err != nil {
			// ErrConflict: the row is no longer pending (ready after all).
			c.log.Warn("mediastore: clean-up of a failed upload could not tombstone its row; the object stays for the row or the sweeper", "id", f.ID, "key", objKey, "err", err)
			return
		}
		f = nf
	}
	if err := c.p.Delete(cctx, objKey); err != nil {
		c.log.Warn("mediastore: clean-up of a failed upload left the object to the sweeper", "key", objKey, "err", err)
		return
	}
	if f == nil {
		return
	}
	if err := c.s.Delete(cctx, &DeleteParams{ID: f.ID, Owner: owner, Status: StatusDeleting}); err != nil && !errors.Is(err, ErrNotFound) {
		c.log.Warn("mediastore: clean-up of a failed upload left the deleting row to the sweeper", "id", f.ID, "err", err)
	}
}

// UploadItem is one file of [Client.UploadMany].
type UploadItem struct {
	Reader  io.Reader
	Options UploadOptions
}

// UploadResult is the outcome of one item of [Client.UploadMany]: File on
// success, Err otherwise.
type UploadResult struct {
	File *File
	Err  error
}

// UploadMany uploads items for owner with at most Config.Concurrency
// uploads at once. It returns one result per item, in the items' order; the
// failure of one does not affect the others.
func (c *Client) UploadMany(ctx context.Context, owner string, items []UploadItem) []UploadResult {
	out := make([]UploadResult, len(items))
	sem := make(chan struct{}, c.cfg.Concurrency)
	var wg sync.WaitGroup
	for i := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				out[i].Err = c.errorf("UploadMany", "", nil, ctx.Err())
				return
			}
			defer func() { <-sem }()
			f, err := c.Upload(ctx, owner, items[i].Reader, &items[i].Options)
			out[i] = UploadResult{File: f, Err: err}
		}()
	}
	wg.Wait()
	return out
}

// expiry returns now + d.
func (c *Client) expiry(d time.Duration) time.Time { return c.now().Add(d) }
