package httpapi

import (
	"net/http"
	"strconv"

	"github.com/mediastore/mediastore"
)

// listInvalid answers a listing the Client refuses.
const listInvalid = "limit must be a whole number from 1 to 1000, resource_type one of image, video or raw, and cursor the next_cursor of an earlier page"

// ListFiles serves GET /files: a page of the caller's files, newest first.
// Query parameters: limit (1 to 1000, default 50), cursor (the next_cursor
// of the previous page) and resource_type (image, video or raw). The
// answer is a [ListResponse]; its next_cursor is "" on the last page.
func (h *Handler) ListFiles(w http.ResponseWriter, r *http.Request) { h.serve(w, r, h.listFiles) }

func (h *Handler) listFiles(w *respWriter, r *http.Request) error {
	owner, err := h.authenticate(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	opts := &mediastore.ListOptions{Cursor: q.Get("cursor"), ResourceType: q.Get("resource_type")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n == 0 {
			return badRequest(listInvalid, err)
		}
		opts.Limit = n
	}
	res, err := h.c.List(r.Context(), owner, opts)
	if err != nil {
		return h.reword(err, mediastore.ErrInvalid, listInvalid)
	}
	out := &ListResponse{Success: true, Files: res.Files}
	if out.Files == nil {
		out.Files = []*mediastore.File{}
	}
	if res.Next != nil {
		out.NextCursor = res.Next.String()
	}
	return w.ok(out)
}

// GetFile serves GET /files/{id}: the caller's file as a [FileResponse].
// Another user's file, or one that does not exist, is a 404. The id is
// read with r.PathValue("id"); other routers must set it with
// r.SetPathValue.
func (h *Handler) GetFile(w http.ResponseWriter, r *http.Request) { h.serve(w, r, h.getFile) }

func (h *Handler) getFile(w *respWriter, r *http.Request) error {
	owner, err := h.authenticate(r)
	if err != nil {
		return err
	}
	f, err := h.c.Get(r.Context(), owner, r.PathValue("id"))
	if err != nil {
		return err
	}
	return w.ok(&FileResponse{Success: true, File: f})
}

// FileURL serves GET /files/{id}/url: a URL of the caller's file as a
// [URLResponse], signed and expiring after the Client's URLExpiry where
// the storage is private, public otherwise. The optional download query
// parameter asks for a URL that makes browsers save the file under that
// name, where the provider supports it.
func (h *Handler) FileURL(w http.ResponseWriter, r *http.Request) { h.serve(w, r, h.fileURL) }

func (h *Handler) fileURL(w *respWriter, r *http.Request) error {
	owner, err := h.authenticate(r)
	if err != nil {
		return err
	}
	opts := &mediastore.URLOptions{DownloadName: r.URL.Query().Get("download")}
	u, err := h.c.URL(r.Context(), owner, r.PathValue("id"), opts)
	if err != nil {
		return err
	}
	return w.ok(&URLResponse{Success: true, URL: u})
}

// DeleteFile serves DELETE /files/{id}: it removes the stored object, then
// the row, and answers an [OKResponse]. Deleting again is a 404.
func (h *Handler) DeleteFile(w http.ResponseWriter, r *http.Request) { h.serve(w, r, h.deleteFile) }

func (h *Handler) deleteFile(w *respWriter, r *http.Request) error {
	owner, err := h.authenticate(r)
	if err != nil {
		return err
	}
	if err := h.c.Delete(r.Context(), owner, r.PathValue("id")); err != nil {
		return err
	}
	return w.ok(&OKResponse{Success: true})
}
