package httpapi

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/mediastore/mediastore"
)

// Bounds of the small form fields of an upload.
const (
	maxFileNameField = 4096
	maxSizeField     = 32
)

// Upload serves POST /upload: a multipart/form-data body with optional
// "fileName" and "size" fields followed by the "file" part, which is
// streamed straight into [mediastore.Client.Upload] (never parsed into
// memory or, unless Config.SpoolUnsized applies, onto disk). fileName
// defaults to the file part's own file name; size, when given, must be the
// file's exact length, else the upload fails with 400 and nothing is kept.
// Fields after the file part are not read; other fields before it are
// skipped. The answer is an [UploadResponse].
func (h *Handler) Upload(w http.ResponseWriter, r *http.Request) { h.serve(w, r, h.upload) }

func (h *Handler) upload(w *respWriter, r *http.Request) error {
	owner, err := h.authenticate(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return &apiError{status: http.StatusUnsupportedMediaType,
			msg: "the request body must be multipart/form-data with the file in a field named \"file\"", cause: err}
	}
	var opts mediastore.UploadOptions
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return badRequest("the form has no file: send it in a field named \"file\"", nil)
		}
		if err != nil {
			return h.bodyError(err)
		}
		switch part.FormName() {
		case "fileName":
			v, err := readField(part, maxFileNameField)
			if err != nil {
				return h.fieldError(err, "fileName is longer than 4096 bytes")
			}
			opts.Filename = v
		case "size":
			v, err := readField(part, maxSizeField)
			if err != nil {
				return h.fieldError(err, "size must be a positive whole number of bytes")
			}
			n, perr := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if perr != nil || n <= 0 {
				return badRequest("size must be a positive whole number of bytes", perr)
			}
			opts.Size = n
		case "file":
			if opts.Filename == "" {
				opts.Filename = part.FileName()
			}
			return h.store(w, r, owner, part, &opts)
		default:
			if _, err := io.Copy(io.Discard, part); err != nil {
				return h.bodyError(err)
			}
		}
	}
}

// store uploads the file part and answers.
func (h *Handler) store(w *respWriter, r *http.Request, owner string, part *multipart.Part, opts *mediastore.UploadOptions) error {
	src := &sourceReader{r: part}
	var body io.Reader = src
	if opts.Size == 0 && h.cfg.SpoolUnsized {
		f, n, err := h.spool(src)
		if f != nil {
			defer removeTemp(w, f)
		}
		if err != nil {
			if src.err != nil {
				return h.bodyError(src.err)
			}
			return &apiError{status: http.StatusInternalServerError, msg: internalError.msg, cause: err}
		}
		body, opts.Size = f, n
	}
	f, err := h.c.Upload(r.Context(), owner, body, opts)
	if err != nil {
		if src.err != nil { // the request, not the provider, failed
			return h.bodyError(src.err)
		}
		return h.reword(err, mediastore.ErrInvalid, "the file is empty or its length differs from the size field")
	}
	u, err := h.c.URL(r.Context(), owner, f.ID, nil)
	if err != nil {
		u = f.URL
		w.warning = "the new file's URL could not be made: " + h.resolve(err).msg
	}
	return w.ok(&UploadResponse{Success: true, FileURL: u, File: f})
}

// spool copies the file part to a temporary file, at most one byte more
// than the Client accepts (enough for the Client to refuse it), and
// returns the file rewound with the length copied. The caller removes the
// file, also when spool fails.
func (h *Handler) spool(src io.Reader) (*os.File, int64, error) {
	f, err := os.CreateTemp(h.cfg.TempDir, "mediastore-upload-*")
	if err != nil {
		return nil, 0, err
	}
	n, err := io.Copy(f, io.LimitReader(src, h.c.Config().MaxSize+1))
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	return f, n, err
}

// removeTemp closes and removes a spooled file.
func removeTemp(w *respWriter, f *os.File) {
	f.Close()
	if err := os.Remove(f.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
		w.warning = "a spooled upload could not be removed"
	}
}

// bodyError is the answer to a request body that could not be read.
func (h *Handler) bodyError(err error) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) && h.cfg.MaxBodyBytes >= h.c.Config().MaxSize:
		return h.tooLarge(err) // the file itself must be over the limit
	case errors.As(err, &mbe):
		return err // "the request body is larger than the ... limit"
	}
	return badRequest("the request body is not valid multipart/form-data or was cut short", err)
}

// fieldError is the answer to a form field that could not be read.
func (h *Handler) fieldError(err error, tooLong string) error {
	if errors.Is(err, errFieldTooLong) {
		return badRequest(tooLong, err)
	}
	return h.bodyError(err)
}

var errFieldTooLong = errors.New("mediastore: form field too long")

// readField reads a small form field of at most max bytes.
func readField(p *multipart.Part, max int64) (string, error) {
	b, err := io.ReadAll(io.LimitReader(p, max+1))
	if err != nil {
		return "", err
	}
	if int64(len(b)) > max {
		return "", errFieldTooLong
	}
	return string(b), nil
}

// sourceReader remembers the first failure of the request body, so that a
// body cut short is answered as the client's fault, not the provider's.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}
