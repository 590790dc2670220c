package uploadcare

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/mediastore/mediastore"
)

// partTries is how often a part PUT is tried.
const partTries = 2

// putMultipart uploads a stream of known size through /multipart/start/,
// one PUT per part to the presigned URLs, and /multipart/complete/. One
// goroutine sends a part while the caller's stream fills the next one, so
// at most two parts are in memory.
func (p *Provider) putMultipart(ctx context.Context, key string, r io.Reader, opts *mediastore.PutOptions) (*mediastore.Object, error) {
	const op = "uploadcare.Put"
	ct := contentType(opts)
	fields := append(p.uploadFields(key, p.now().Add(serverUploadTTL)),
		field{"filename", filename(key, opts)},
		field{"size", strconv.FormatInt(opts.Size, 10)},
		field{"content_type", ct},
		field{"part_size", strconv.FormatInt(p.cfg.PartSize, 10)},
	)
	formType, formBody := form(fields)
	var start struct {
		UUID  string   `json:"uuid"`
		Parts []string `json:"parts"`
	}
	if err := p.uploadRequest(ctx, op, key, "/multipart/start/", formType, bytes.NewReader(formBody), int64(len(formBody)), &start); err != nil {
		return nil, err
	}
	nparts := int((opts.Size + p.cfg.PartSize - 1) / p.cfg.PartSize)
	if !IsUUID(start.UUID) || len(start.Parts) != nparts {
		return nil, mediastore.NewError(op, Name, key, mediastore.ErrProvider,
			fmt.Errorf("/multipart/start/ answered %d part URLs for %d parts", len(start.Parts), nparts))
	}

	src := &sizedReader{r: r, size: opts.Size}
	if err := p.sendParts(ctx, op, key, src, start.Parts, ct); err != nil {
		return nil, err
	}

	formType, formBody = form([]field{{"UPLOADCARE_PUB_KEY", p.cfg.PublicKey}, {"uuid", start.UUID}})
	var fi fileInfo
	if err := p.uploadRequest(ctx, op, key, "/multipart/complete/", formType, bytes.NewReader(formBody), int64(len(formBody)), &fi); err != nil {
		return nil, err
	}
	if fi.Size != opts.Size {
		p.discard(ctx, start.UUID)
		return nil, mediastore.NewError(op, Name, key, mediastore.ErrProvider,
			fmt.Errorf("Uploadcare stored %d bytes of %d", fi.Size, opts.Size))
	}
	return p.object(start.UUID, &fi, false), nil
}

// sendParts reads src part by part and PUTs each part to its URL. It
// reports the caller's cancellation first, then the stream's failure, then
// the first upload failure.
func (p *Provider) sendParts(parent context.Context, op, key string, src *sizedReader, urls []string, ct string) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()

	type part struct {
		i   int
		buf []byte
	}
	free := make(chan []byte, 2)
	free <- make([]byte, min(p.cfg.PartSize, src.size))
	if len(urls) > 1 {
		free <- make([]byte, p.cfg.PartSize)
	}
	parts := make(chan part)
	done := make(chan error, 1)
	go func() {
		var err error
		for pt := range parts {
			if err == nil {
				if err = p.putPart(ctx, op, key, pt.i, urls[pt.i], pt.buf, ct); err != nil {
					cancel()
				}
			}
			free <- pt.buf[:cap(pt.buf)]
		}
		done <- err
	}()

	var readErr error
read:
	for i := range urls {
		if ctx.Err() != nil {
			break read
		}
		var buf []byte
		select {
		case buf = <-free:
		case <-ctx.Done():
			break read
		}
		n := min(p.cfg.PartSize, src.size-int64(i)*p.cfg.PartSize)
		if _, err := io.ReadFull(src, buf[:n]); err != nil {
			readErr = err
			break read
		}
		if i == len(urls)-1 {
			readErr = src.expectEOF()
			if readErr != nil {
				break read
			}
		}
		parts <- part{i, buf[:n]}
	}
	close(parts)
	sendErr := <-done
	switch {
	case parent.Err() != nil:
		return p.transportError(op, key, "multipart upload", parent.Err())
	case readErr != nil:
		if src.err != nil {
			readErr = src.err
		}
		return p.streamError(op, key, readErr)
	case sendErr != nil:
		return sendErr
	}
	return nil
}

// putPart sends one part to its presigned URL (no credentials of ours).
func (p *Provider) putPart(ctx context.Context, op, key string, i int, u string, data []byte, ct string) error {
	what := "PUT part " + strconv.Itoa(i+1)
	var err error
	for try := 0; try < partTries; try++ {
		var req *http.Request
		req, err = http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader(data))
		if err != nil {
			return mediastore.NewError(op, Name, key, mediastore.ErrProvider, errors.New(what+": bad part URL"))
		}
		req.Header.Set("Content-Type", ct)
		var resp *http.Response
		resp, err = p.cfg.HTTPClient.Do(req)
		if err != nil {
			err = p.transportError(op, key, what, err)
			if ctx.Err() != nil {
				return err
			}
			continue
		}
		if resp.StatusCode/100 == 2 {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
			return nil
		}
		// The storage's error body may echo its presigned signature: keep
		// the status only.
		err = mediastore.NewError(op, Name, key, mediastore.ErrProvider,
			fmt.Errorf("%s: %w", what, &HTTPError{Status: resp.StatusCode}))
		resp.Body.Close()
		if resp.StatusCode < 500 {
			return err
		}
	}
	return err
}
