package httpapi

import (
	"encoding/json"

	"github.com/mediastore/mediastore"
)

// The JSON bodies of the API. Every response carries "success"; a failure
// is an [ErrorResponse].

// ErrorResponse is the body of every failure: {"success": false, "error":
// "<sentence>"}.
type ErrorResponse struct {
	Success bool   `json:"success"`
	Error   string `json:"error"`
}

// OKResponse is the body of a success that returns nothing else.
type OKResponse struct {
	Success bool `json:"success"`
}

// FileResponse is the body of GET /files/{id} and of the confirm endpoints.
type FileResponse struct {
	Success bool             `json:"success"`
	File    *mediastore.File `json:"file"`
}

// UploadResponse is the body of POST /upload. FileURL is the URL of the new
// file as [mediastore.Client.URL] makes it (signed where the storage is
// private).
type UploadResponse struct {
	Success bool             `json:"success"`
	FileURL string           `json:"fileUrl"`
	File    *mediastore.File `json:"file"`
}

// ListResponse is the body of GET /files. NextCursor is "" on the last
// page; otherwise pass it as the cursor query parameter for the next page.
type ListResponse struct {
	Success    bool               `json:"success"`
	Files      []*mediastore.File `json:"files"`
	NextCursor string             `json:"next_cursor"`
}

// URLResponse is the body of GET /files/{id}/url.
type URLResponse struct {
	Success bool   `json:"success"`
	URL     string `json:"url"`
}

// PrepareUploadRequest is the body of POST /uploads. Every field is a
// claim that the confirm checks against the uploaded object.
type PrepareUploadRequest struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// TicketResponse is the body of POST /uploads.
type TicketResponse struct {
	Success bool               `json:"success"`
	Ticket  *mediastore.Ticket `json:"ticket"`
}

// ConfirmUploadRequest is the body of POST /uploads/confirm: the ticket's
// key and, for providers that verify one, the provider's proof.
type ConfirmUploadRequest struct {
	Key   string            `json:"key"`
	Proof map[string]string `json:"proof"`
}

// PresignUploadRequest is the body of [Handler.PresignUpload] (the R2 and
// B2 guides' presign endpoints).
type PresignUploadRequest struct {
	FileName    string `json:"fileName"`
	ContentType string `json:"contentType"`
	// Size is optional; when set, providers that can sign it refuse an
	// upload of another length.
	Size int64 `json:"size"`
}

// PresignResponse is the body of [Handler.PresignUpload]. The client PUTs
// the file to PresignedURL with every header of Headers (they are signed:
// the Content-Type it declared, and If-None-Match when the provider makes
// create-only tickets), then posts ObjectKey to [Handler.SaveMetadata].
// PublicFileURL is the URL the file will have when the bucket is public,
// and "" when it is private (fetch a signed URL from GET /files/{id}/url
// once the file is saved). Headers leaves out Content-Length, which HTTP
// clients send by themselves (browsers refuse to set it).
type PresignResponse struct {
	Success       bool              `json:"success"`
	PresignedURL  string            `json:"presignedUrl"`
	ObjectKey     string            `json:"objectKey"`
	PublicFileURL string            `json:"publicFileUrl"`
	Headers       map[string]string `json:"headers"`
}

// SaveMetadataRequest is the body of [Handler.SaveMetadata]. PublicFileURL
// is accepted because the guides' clients send it, and ignored: the URL
// recorded is the one the library derives from the provider.
type SaveMetadataRequest struct {
	ObjectKey     string `json:"objectKey"`
	PublicFileURL string `json:"publicFileUrl"`
}

// SignatureResponse is the body of [Handler.GenerateSignature]. The client
// POSTs multipart/form-data to UploadURL with every entry of Params (which
// include signature, timestamp and api_key) and the file in the field
// "file". It never holds the API secret.
type SignatureResponse struct {
	Success   bool              `json:"success"`
	Signature string            `json:"signature"`
	Timestamp int64             `json:"timestamp"`
	APIKey    string            `json:"api_key"`
	CloudName string            `json:"cloud_name"`
	UploadURL string            `json:"upload_url"`
	Params    map[string]string `json:"params"`
}

// CloudinaryMetadataRequest is the body of [Handler.SaveCloudinaryMetadata]:
// the fields of Cloudinary's upload response that the server uses. Other
// fields are ignored, so a client may post the whole response. SecureURL is
// ignored too: the URL recorded is the one the library derives.
type CloudinaryMetadataRequest struct {
	PublicID     string `json:"public_id"`
	SecureURL    string `json:"secure_url"`
	ResourceType string `json:"resource_type"`
	// Version is a JSON number in Cloudinary's response; a string of
	// digits is accepted too.
	Version   json.Number `json:"version"`
	Signature string      `json:"signature"`
}
