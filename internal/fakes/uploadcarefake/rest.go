package uploadcarefake

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"time"
)

const acceptV07 = "application/vnd.uploadcare-v0.7+json"

// dateSkew is how far the Date of a signed request may be from the clock.
const dateSkew = 15 * time.Minute

// dateFormats are the Date header forms accepted: RFC 1123 (what Go and
// uc-go send) and pyuploadcare's variant with a comma after the year.
var dateFormats = []string{http.TimeFormat, time.RFC1123, "Mon, 02 Jan 2006, 15:04:05 GMT"}

func (s *Server) apiHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /files/{uuid}/{$}", s.handleFileInfo)
	mux.HandleFunc("PUT /files/{uuid}/storage/{$}", s.handleStore)
	mux.HandleFunc("DELETE /files/{uuid}/storage/{$}", s.handleDelete)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			jsonError(w, http.StatusBadRequest, "Could not read the request body.")
			return
		}
		if r.Header.Get("Accept") != acceptV07 {
			jsonError(w, http.StatusNotAcceptable, "Incorrect Accept header provided. Make sure to specify API version. Refer to REST API docs for details.")
			return
		}
		if status, detail := s.checkREST(r, body); status != 0 {
			jsonError(w, status, detail)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// checkREST verifies the Authorization (and, for the signed scheme, the
// Date) of a REST request; it returns the status and detail of a refusal.
func (s *Server) checkREST(r *http.Request, body []byte) (int, string) {
	const bad = "Incorrect authentication credentials."
	scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok {
		return http.StatusUnauthorized, bad
	}
	pub, secretOrSig, ok := strings.Cut(cred, ":")
	if !ok {
		return http.StatusUnauthorized, bad
	}
	if pub != s.opts.PublicKey {
		return http.StatusUnauthorized, "Public key " + pub + " not found."
	}
	switch scheme {
	case "Uploadcare.Simple":
		if !hmac.Equal([]byte(secretOrSig), []byte(s.opts.SecretKey)) {
			return http.StatusUnauthorized, bad
		}
		return 0, ""
	case "Uploadcare":
		date := r.Header.Get("Date")
		var t time.Time
		var err error
		for _, f := range dateFormats {
			if t, err = time.Parse(f, date); err == nil {
				break
			}
		}
		if date == "" || err != nil {
			return http.StatusUnauthorized, "Date header is missing or malformed."
		}
		if d := s.opts.Now().Sub(t); d > dateSkew || d < -dateSkew {
			return http.StatusUnauthorized, "Date header is more than 15 minutes away from the server's time."
		}
		sum := md5.Sum(body)
		m := hmac.New(sha1.New, []byte(s.opts.SecretKey))
		m.Write([]byte(r.Method + "\n" + hex.EncodeToString(sum[:]) + "\n" + r.Header.Get("Content-Type") + "\n" + date + "\n" + r.RequestURI))
		if !hmac.Equal([]byte(secretOrSig), []byte(hex.EncodeToString(m.Sum(nil)))) {
			return http.StatusUnauthorized, "Invalid signature. Please check your Secret key."
		}
		return 0, ""
	}
	return http.StatusUnauthorized, bad
}

// restInfo is the REST API's file info (v0.7).
func (s *Server) restInfo(f *file) map[string]any {
	return map[string]any{
		"uuid":              f.UUID,
		"datetime_removed":  stamp(f.removed),
		"datetime_stored":   stamp(f.stored),
		"datetime_uploaded": stamp(f.Uploaded),
		"is_image":          f.isImage,
		"is_ready":          true,
		"mime_type":         f.MimeType,
		"original_file_url": s.CDNURL + "/" + f.UUID + "/" + sanitize(f.OriginalFilename),
		"original_filename": f.OriginalFilename,
		"size":              f.Size,
		"url":               s.APIURL + "/files/" + f.UUID + "/",
		"variations":        nil,
		"content_info":      f.contentInfo(),
		"metadata":          f.Metadata,
	}
}

// withFile runs fn on the file named in the path under the lock, or
// answers 404.
func (s *Server) withFile(w http.ResponseWriter, r *http.Request, fn func(f *file) (int, any)) {
	s.mu.Lock()
	f, ok := s.files[r.PathValue("uuid")]
	var status int
	var v any
	if ok {
		status, v = fn(f)
	}
	s.mu.Unlock()
	if !ok {
		jsonError(w, http.StatusNotFound, "Not found.")
		return
	}
	writeJSON(w, status, v)
}

func (s *Server) handleFileInfo(w http.ResponseWriter, r *http.Request) {
	s.withFile(w, r, func(f *file) (int, any) { return http.StatusOK, s.restInfo(f) })
}

func (s *Server) handleStore(w http.ResponseWriter, r *http.Request) {
	s.withFile(w, r, func(f *file) (int, any) {
		if f.Removed {
			return http.StatusNotFound, map[string]string{"detail": "Not found."}
		}
		if !f.Stored {
			f.Stored, f.stored = true, s.opts.Now()
		}
		return http.StatusOK, s.restInfo(f)
	})
}

func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) {
	s.withFile(w, r, func(f *file) (int, any) {
		if !f.Removed {
			f.remove(s.opts.Now())
		}
		return http.StatusOK, s.restInfo(f)
	})
}
