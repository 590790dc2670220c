package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/mediastore/mediastore"
)

// Sentences of the direct-upload endpoints.
const (
	prepareInvalid = "size must be a positive whole number, sha256 64 lowercase hex digits and the content type a type/subtype"
	confirmInvalid = "the uploaded file is empty or differs from the size or checksum declared for it"
	confirmMissing = "the upload was not found at the storage provider: upload the file before saving it"
	confirmReplay  = "this upload is already recorded"
)

// PrepareUpload serves POST /uploads: the body is a [PrepareUploadRequest]
// (all fields optional) and the answer a [TicketResponse] whose ticket
// tells the client how to upload the file straight to the provider. It is
// mounted only when the provider supports direct uploads.
func (h *Handler) PrepareUpload(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, h.prepareUpload)
}

func (h *Handler) prepareUpload(w *respWriter, r *http.Request) error {
	owner, err := h.authenticate(r)
	if err != nil {
		return err
	}
	var req PrepareUploadRequest
	if err := h.decodeJSON(w, r, &req, strict); err != nil {
		return err
	}
	t, err := h.prepare(r.Context(), owner, &mediastore.PrepareRequest{
		Filename: req.Filename, ContentType: req.ContentType, Size: req.Size, SHA256: req.SHA256})
	if err != nil {
		return err
	}
	return w.ok(&TicketResponse{Success: true, Ticket: t})
}

// ConfirmUpload serves POST /uploads/confirm: the body is a
// [ConfirmUploadRequest] and the answer a [FileResponse] with the file as
// the library recorded it from what the provider reports. Confirming a
// recorded file again returns it. It is mounted only when the provider
// supports direct uploads.
func (h *Handler) ConfirmUpload(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, h.confirmUpload)
}

func (h *Handler) confirmUpload(w *respWriter, r *http.Request) error {
	owner, err := h.authenticate(r)
	if err != nil {
		return err
	}
	var req ConfirmUploadRequest
	if err := h.decodeJSON(w, r, &req, strict); err != nil {
		return err
	}
	if req.Key == "" && len(req.Proof) == 0 {
		return badRequest("key is required: send the key of the ticket", nil)
	}
	return h.confirm(w, r, owner, &mediastore.ConfirmRequest{Key: req.Key, Proof: req.Proof})
}

// PresignUpload is the R2 and B2 guides' presign endpoint (mount it at
// POST /presign-upload or /presign-b2-upload): the body is a
// [PresignUploadRequest] with required fileName and contentType, and the
// answer a [PresignResponse]. The key is made by the library and bound to
// the caller; the declared type (and size, when sent) is signed into the
// URL. New does not mount it.
func (h *Handler) PresignUpload(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, h.presignUpload)
}

func (h *Handler) presignUpload(w *respWriter, r *http.Request) error {
	owner, err := h.authenticate(r)
	if err != nil {
		return err
	}
	var req PresignUploadRequest
	if err := h.decodeJSON(w, r, &req, strict); err != nil {
		return err
	}
	if req.FileName == "" || req.ContentType == "" {
		return badRequest("fileName and contentType are required", nil)
	}
	t, err := h.prepare(r.Context(), owner, &mediastore.PrepareRequest{
		Filename: req.FileName, ContentType: req.ContentType, Size: req.Size})
	if err != nil {
		return err
	}
	headers := make(map[string]string, len(t.Headers))
	for k, v := range t.Headers {
		if k != "Content-Length" && len(v) > 0 {
			headers[k] = strings.Join(v, ", ")
		}
	}
	return w.ok(&PresignResponse{Success: true, PresignedURL: t.URL, ObjectKey: t.Key,
		PublicFileURL: t.PublicURL, Headers: headers})
}

// SaveMetadata is the R2 and B2 guides' save-metadata endpoint (mount it
// at POST /save-metadata or /save-b2-metadata): the body is a
// [SaveMetadataRequest] with the objectKey of [Handler.PresignUpload], and
// the answer a [FileResponse]. The client's publicFileUrl is ignored. A key
// not issued to the caller is a 403, an object that is not at the provider
// a 404, and an object outside the limits a 413 or 415 (and it is
// deleted). New does not mount it.
func (h *Handler) SaveMetadata(w http.ResponseWriter, r *http.Request) { h.serve(w, r, h.saveMetadata) }

func (h *Handler) saveMetadata(w *respWriter, r *http.Request) error {
	owner, err := h.authenticate(r)
	if err != nil {
		return err
	}
	var req SaveMetadataRequest
	if err := h.decodeJSON(w, r, &req, strict); err != nil {
		return err
	}
	if req.ObjectKey == "" {
		return badRequest("objectKey is required: send the objectKey of the presign response", nil)
	}
	// The guides' save-metadata INSERTs once: a replay is a 409.
	return h.confirm(w, r, owner, &mediastore.ConfirmRequest{Key: req.ObjectKey, RejectRecorded: true})
}

// prepare runs Client.PrepareUpload.
func (h *Handler) prepare(ctx context.Context, owner string, req *mediastore.PrepareRequest) (*mediastore.Ticket, error) {
	t, err := h.c.PrepareUpload(ctx, owner, req)
	if err != nil {
		return nil, h.reword(err, mediastore.ErrInvalid, prepareInvalid)
	}
	return t, nil
}

// confirm runs Client.ConfirmUpload and answers the file.
func (h *Handler) confirm(w *respWriter, r *http.Request, owner string, req *mediastore.ConfirmRequest) error {
	f, err := h.c.ConfirmUpload(r.Context(), owner, req)
	if err != nil {
		err = h.reword(err, mediastore.ErrInvalid, confirmInvalid)
		err = h.reword(err, mediastore.ErrConflict, confirmReplay)
		return h.reword(err, mediastore.ErrNotFound, confirmMissing)
	}
	return w.ok(&FileResponse{Success: true, File: f})
}
