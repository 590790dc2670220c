package mediastore

import (
	"context"
	"errors"
	"iter"
)

// Listing page sizes.
const (
	DefaultListLimit = 50
	MaxListLimit     = 1000
)

// ListOptions selects a page of an owner's files.
type ListOptions struct {
	// Limit is the page size, from 1 to 1000. Defaults to 50.
	Limit int
	// Cursor is the Next of the previous page in its text form, or "" for
	// the first page. A cursor that was altered yields an ErrInvalid error.
	Cursor string
	// ResourceType, when set ("image", "video", "raw"), keeps only files of
	// that type.
	ResourceType string
}

// Get returns owner's ready file with id. A file of another owner, or one
// still pending or being deleted, is an ErrNotFound error.
func (c *Client) Get(ctx context.Context, owner, id string) (*File, error) {
	const op = "Get"
	if err := c.checkOwner(op, owner); err != nil {
		return nil, err
	}
	if id == "" || len(id) > 64 {
		return nil, c.errorf(op, id, ErrNotFound, nil)
	}
	f, err := c.s.Get(ctx, &GetParams{Owner: owner, ID: id})
	if err != nil {
		return nil, c.wrap(op, id, ErrStore, err)
	}
	if f.Status != StatusReady {
		return nil, c.errorf(op, id, ErrNotFound, nil)
	}
	return f, nil
}

// List returns a page of owner's ready files, newest first. Pass the
// page's Next (as text) in opts.Cursor for the following page.
func (c *Client) List(ctx context.Context, owner string, opts *ListOptions) (*ListResult, error) {
	const op = "List"
	if err := c.checkOwner(op, owner); err != nil {
		return nil, err
	}
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit == 0 {
		o.Limit = DefaultListLimit
	}
	if o.Limit < 1 || o.Limit > MaxListLimit {
		return nil, c.errorf(op, "", ErrInvalid, errors.New("limit must be from 1 to 1000"))
	}
	switch o.ResourceType {
	case "", "image", "video", "raw":
	default:
		return nil, c.errorf(op, "", ErrInvalid, errors.New("resource type must be image, video or raw"))
	}
	var after *Cursor
	if o.Cursor != "" {
		cur, err := ParseCursor(o.Cursor)
		if err != nil {
			return nil, c.errorf(op, "", ErrInvalid, err)
		}
		after = cur
	}
	res, err := c.s.List(ctx, &ListParams{Owner: owner, Status: StatusReady, ResourceType: o.ResourceType, Limit: o.Limit, After: after})
	if err != nil {
		return nil, c.wrap(op, "", ErrStore, err)
	}
	return res, nil
}

// All iterates over every ready file of owner, page by page. It stops at
// the first error, which it yields with a nil file.
func (c *Client) All(ctx context.Context, owner string, opts *ListOptions) iter.Seq2[*File, error] {
	return func(yield func(*File, error) bool) {
		var o ListOptions
		if opts != nil {
			o = *opts
		}
		for {
			page, err := c.List(ctx, owner, &o)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, f := range page.Files {
				if !yield(f, nil) {
					return
				}
			}
			if page.Next == nil {
				return
			}
			o.Cursor = page.Next.String()
		}
	}
}

// URL returns a URL of owner's file id: the public URL, or a signed URL
// that expires after Config.URLExpiry (or opts.Expiry) where the storage
// is private or opts.Signed is set.
func (c *Client) URL(ctx context.Context, owner, id string, opts *URLOptions) (string, error) {
	f, err := c.Get(ctx, owner, id)
	if err != nil {
		return "", err
	}
	u, err := c.p.URL(ctx, f.Key, c.urlOptions(opts))
	if err != nil {
		return "", c.wrap("URL", f.Key, ErrProvider, err)
	}
	return u, nil
}

// TransformURL returns a delivery URL of owner's file id with t applied.
// It returns an ErrUnsupported error when the provider has no
// [Transformer].
func (c *Client) TransformURL(ctx context.Context, owner, id string, t *Transform, opts *URLOptions) (string, error) {
	if c.transform == nil {
		return "", c.errorf("TransformURL", id, ErrUnsupported, nil)
	}
	if t == nil {
		return "", c.errorf("TransformURL", id, ErrInvalid, errors.New("nil transform"))
	}
	f, err := c.Get(ctx, owner, id)
	if err != nil {
		return "", err
	}
	u, err := c.transform.TransformURL(ctx, f.Key, t, c.urlOptions(opts))
	if err != nil {
		return "", c.wrap("TransformURL", f.Key, ErrProvider, err)
	}
	return u, nil
}

func (c *Client) urlOptions(opts *URLOptions) *URLOptions {
	var o URLOptions
	if opts != nil {
		o = *opts
	}
	if o.Expiry <= 0 {
		o.Expiry = c.cfg.URLExpiry
	}
	o.DownloadName = SanitizeFilename(o.DownloadName)
	return &o
}
