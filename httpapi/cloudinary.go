package httpapi

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/mediastore/mediastore"
)

// GenerateSignature is the Cloudinary guide's signature endpoint (mount it
// at GET /generate-signature). It prepares a direct upload and answers a
// [SignatureResponse] built from the ticket: params holds every field the
// client must send with the file, cloud_name is read from the upload URL,
// and the API secret is never included. The optional query parameters
// filename, content_type and size declare the file as in
// [PrepareUploadRequest]; content_type decides the resource type of the
// upload URL, and must be allowed by the Client's AllowedTypes. A provider
// whose tickets are not Cloudinary signatures answers 404. New does not
// mount it.
func (h *Handler) GenerateSignature(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, h.generateSignature)
}

func (h *Handler) generateSignature(w *respWriter, r *http.Request) error {
	owner, err := h.authenticate(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	req := &mediastore.PrepareRequest{Filename: q.Get("filename"), ContentType: q.Get("content_type")}
	if s := q.Get("size"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return badRequest("size must be a positive whole number of bytes", err)
		}
		req.Size = n
	}
	t, err := h.prepare(r.Context(), owner, req)
	if err != nil {
		return err
	}
	sig, err := signatureOf(t)
	if err != nil {
		e := *h.errs[mediastore.ErrUnsupported]
		e.cause = err
		return &e
	}
	return w.ok(sig)
}

var errNotCloudinary = errors.New("mediastore: the provider's ticket is not a Cloudinary signed upload")

// signatureOf reads the Cloudinary signature out of a ticket: a POST to
// <base>/v1_1/<cloud>/<resource_type>/upload with signature, timestamp and
// api_key among its fields.
func signatureOf(t *mediastore.Ticket) (*SignatureResponse, error) {
	f := t.Fields
	ts, err := strconv.ParseInt(f["timestamp"], 10, 64)
	if t.Method != http.MethodPost || err != nil || f["signature"] == "" || f["api_key"] == "" {
		return nil, errNotCloudinary
	}
	u, err := url.Parse(t.URL)
	if err != nil {
		return nil, errNotCloudinary
	}
	segs := strings.Split(u.Path, "/")
	cloud := ""
	for i, s := range segs {
		if s == "v1_1" && i+1 < len(segs) {
			cloud = segs[i+1]
			break
		}
	}
	if cloud == "" {
		return nil, errNotCloudinary
	}
	return &SignatureResponse{
		Success:   true,
		Signature: f["signature"],
		Timestamp: ts,
		APIKey:    f["api_key"],
		CloudName: cloud,
		UploadURL: t.URL,
		Params:    maps.Clone(f),
	}, nil
}

// SaveCloudinaryMetadata is the Cloudinary guide's save-metadata endpoint
// (mount it at POST /save-metadata): the body is a
// [CloudinaryMetadataRequest] with a required public_id, and the answer a
// [FileResponse]. Unknown fields are ignored, because clients may post
// Cloudinary's whole upload response; secure_url is ignored too. The
// public_id, resource_type, version and signature are the proof: the
// provider turns them into the ticket's key and checks them, so a public
// id not issued to the caller is a 403 and a forged signature a 403. New
// does not mount it.
func (h *Handler) SaveCloudinaryMetadata(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, h.saveCloudinaryMetadata)
}

func (h *Handler) saveCloudinaryMetadata(w *respWriter, r *http.Request) error {
	owner, err := h.authenticate(r)
	if err != nil {
		return err
	}
	var req CloudinaryMetadataRequest
	if err := h.decodeJSON(w, r, &req, lenient); err != nil {
		return err
	}
	if req.PublicID == "" {
		return badRequest("public_id is required: send the public_id of Cloudinary's upload response", nil)
	}
	proof := map[string]string{"public_id": req.PublicID}
	for k, v := range map[string]string{"resource_type": req.ResourceType, "version": req.Version.String(), "signature": req.Signature} {
		if v != "" {
			proof[k] = v
		}
	}
	return h.confirm(w, r, owner, &mediastore.ConfirmRequest{Proof: proof, RejectRecorded: true})
}
