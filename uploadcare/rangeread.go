package uploadcare

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/mediastore/mediastore"
)

// ReadRange reads length bytes (-1: to the end) of the file with the UUID
// key from offset, through a ranged GET of its CDN URL (signed when secure
// delivery is configured). The CDN serves temporary files too. A key that
// is not a UUID, and a file the CDN does not have, are ErrNotFound.
func (p *Provider) ReadRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	const op = "uploadcare.ReadRange"
	if offset < 0 || length < -1 {
		return nil, mediastore.NewError(op, Name, key, mediastore.ErrInvalid, fmt.Errorf("bad range %d+%d", offset, length))
	}
	u, err := p.deliveryURL(op, key, "", "", &mediastore.URLOptions{Expiry: defaultExpiry})
	if err != nil {
		return nil, err
	}
	if length == 0 {
		return http.NoBody, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, mediastore.NewError(op, Name, key, mediastore.ErrInvalid, err)
	}
	rng := "bytes=" + strconv.FormatInt(offset, 10) + "-"
	if length > 0 {
		rng += strconv.FormatInt(offset+length-1, 10)
	}
	req.Header.Set("Range", rng)
	resp, err := p.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, p.transportError(op, key, "GET CDN", err)
	}
	switch resp.StatusCode {
	case http.StatusPartialContent:
	case http.StatusOK: // the whole file: skip to offset
		if _, err := io.CopyN(io.Discard, resp.Body, offset); err != nil {
			resp.Body.Close()
			if err == io.EOF {
				return http.NoBody, nil
			}
			return nil, p.transportError(op, key, "GET CDN", err)
		}
	case http.StatusRequestedRangeNotSatisfiable: // offset at or past the end
		resp.Body.Close()
		return http.NoBody, nil
	default:
		defer resp.Body.Close()
		return nil, p.interpretError(op, key, resp)
	}
	if length < 0 {
		return resp.Body, nil
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(resp.Body, length), resp.Body}, nil
}
