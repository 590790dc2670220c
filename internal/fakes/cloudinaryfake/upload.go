package cloudinaryfake

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // image.DecodeConfig of GIF uploads
	_ "image/jpeg"
	_ "image/png"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// request is a parsed Upload API request.
type request struct {
	params   url.Values
	file     []byte
	hasFile  bool
	filename string
}

// readRequest parses a multipart/form-data or urlencoded body. A body
// without Content-Type is read as urlencoded, as Cloudinary does for
// cloudinary-go's destroy.
func (s *Server) readRequest(w http.ResponseWriter, r *http.Request) (*request, error) {
	body := http.MaxBytesReader(w, r.Body, s.opts.MaxRequestBytes)
	req := &request{params: url.Values{}}
	mt, mp, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		mr, err := multipartReader(body, mp["boundary"])
		if err != nil {
			return nil, err
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			data, err := io.ReadAll(part)
			if err != nil {
				return nil, err
			}
			if part.FormName() == "file" && part.FileName() != "" {
				req.file, req.hasFile, req.filename = data, true, part.FileName()
				continue
			}
			req.params.Add(part.FormName(), string(data))
		}
		return req, nil
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	req.params, err = url.ParseQuery(string(data))
	return req, err
}

// checkAuth verifies api_key, timestamp and signature as the Upload API
// does, and answers the error itself when they are wrong.
func (s *Server) checkAuth(w http.ResponseWriter, r *http.Request, p url.Values) bool {
	if r.PathValue("cloud") != s.opts.CloudName {
		apiError(w, http.StatusUnauthorized, "Invalid cloud_name %s", r.PathValue("cloud"))
		return false
	}
	sig := p.Get("signature")
	if sig == "" {
		apiError(w, http.StatusBadRequest, "Upload preset must be specified when using unsigned upload")
		return false
	}
	switch key := p.Get("api_key"); {
	case key == "":
		apiError(w, http.StatusUnauthorized, "Must supply api_key")
		return false
	case key != s.opts.APIKey:
		apiError(w, http.StatusUnauthorized, "Unknown API key %s", key)
		return false
	}
	ts, err := strconv.ParseInt(p.Get("timestamp"), 10, 64)
	if p.Get("timestamp") == "" {
		apiError(w, http.StatusBadRequest, "Missing required parameter - timestamp")
		return false
	}
	if err != nil {
		apiError(w, http.StatusBadRequest, "Invalid timestamp")
		return false
	}
	if now := s.opts.Now(); time.Unix(ts, 0).Before(now.Add(-time.Hour)) {
		apiError(w, http.StatusBadRequest, "Stale request - reported time is %s which is more than 1 hour ago",
			time.Unix(ts, 0).UTC().Format("2006-01-02 15:04:05 -0700"))
		return false
	}
	toSign := UploadStringToSign(p)
	want := Sign(toSign, s.opts.APISecret, s.opts.SignatureAlgorithm)
	if subtle.ConstantTimeCompare([]byte(sig), []byte(want)) != 1 {
		apiError(w, http.StatusUnauthorized, "Invalid Signature %s. String to sign - '%s'.", sig, toSign)
		return false
	}
	return true
}

var contentRangeRe = regexp.MustCompile(`^bytes (\d+)-(\d+)/(-1|\d+)$`)

func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	rt := r.PathValue("rt")
	if rt != "image" && rt != "video" && rt != "raw" && rt != "auto" {
		apiError(w, http.StatusNotFound, "Invalid resource type %s", rt)
		return
	}
	req, err := s.readRequest(w, r)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		apiError(w, http.StatusRequestEntityTooLarge, "File size too large. Maximum request size is %d bytes.", s.opts.MaxRequestBytes)
		return
	case err != nil:
		apiError(w, http.StatusBadRequest, "Malformed request body")
		return
	}
	if rec, ok := w.(*statusRecorder); ok {
		rec.fileBytes = len(req.file)
	}
	if !s.checkAuth(w, r, req.params) {
		return
	}
	if !req.hasFile {
		f := req.params.Get("file")
		switch {
		case f == "":
			apiError(w, http.StatusBadRequest, "Missing required parameter - file")
			return
		case strings.HasPrefix(f, "data:"):
			comma := strings.IndexByte(f, ',')
			if comma < 0 || !strings.HasSuffix(f[:comma], ";base64") {
				apiError(w, http.StatusBadRequest, "Invalid data URI")
				return
			}
			data, err := base64.StdEncoding.DecodeString(f[comma+1:])
			if err != nil {
				apiError(w, http.StatusBadRequest, "Invalid data URI")
				return
			}
			req.file, req.filename = data, "file"
		default:
			apiError(w, http.StatusBadRequest, "Remote file URLs are not supported by the fake")
			return
		}
	}
	if id := r.Header.Get("X-Unique-Upload-Id"); id != "" {
		done, ok := s.chunk(w, r, id, req)
		if !ok || !done {
			return
		}
	}
	s.store(w, rt, req)
}

// chunk adds one part of a chunked upload. It reports done with req.file
// set to the whole file when this part is the last; ok is false when it
// answered an error.
func (s *Server) chunk(w http.ResponseWriter, r *http.Request, id string, req *request) (done, ok bool) {
	m := contentRangeRe.FindStringSubmatch(r.Header.Get("Content-Range"))
	if m == nil {
		apiError(w, http.StatusBadRequest, "Invalid Content-Range header")
		return false, false
	}
	start, _ := strconv.ParseInt(m[1], 10, 64)
	end, _ := strconv.ParseInt(m[2], 10, 64)
	total, _ := strconv.ParseInt(m[3], 10, 64)
	if end < start || end-start+1 != int64(len(req.file)) || total >= 0 && end >= total {
		apiError(w, http.StatusBadRequest, "Content-Range does not match the chunk")
		return false, false
	}
	last := total >= 0 && end+1 == total
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chunks[id]
	switch {
	case c == nil && start != 0:
		apiError(w, http.StatusBadRequest, "Unknown upload id or first chunk missing")
		return false, false
	case c == nil:
		c = &chunked{}
		s.chunks[id] = c
	}
	if start != int64(len(c.data)) {
		apiError(w, http.StatusBadRequest, "Chunk out of order: expected offset %d", len(c.data))
		return false, false
	}
	if !last && int64(len(req.file)) < s.opts.MinChunkBytes {
		delete(s.chunks, id)
		apiError(w, http.StatusBadRequest, "Chunk size must be at least %d bytes except for the last chunk", s.opts.MinChunkBytes)
		return false, false
	}
	c.data = append(c.data, req.file...)
	if !last {
		writeJSON(w, http.StatusOK, map[string]any{"done": false, "bytes": len(c.data)})
		return false, true
	}
	delete(s.chunks, id)
	req.file = c.data
	return true, true
}

var badPublicID = regexp.MustCompile(`[?&#\\%<>]`)

// store saves an uploaded file and answers the upload response.
func (s *Server) store(w http.ResponseWriter, rt string, req *request) {
	p := req.params
	data := req.file
	if len(data) == 0 {
		apiError(w, http.StatusBadRequest, "Empty file")
		return
	}
	sniff := http.DetectContentType(data)
	sniffType, _, _ := mime.ParseMediaType(sniff)
	isImage := strings.HasPrefix(sniffType, "image/")
	isVideo := strings.HasPrefix(sniffType, "video/") || strings.HasPrefix(sniffType, "audio/") || sniffType == "application/ogg"
	if rt == "auto" {
		switch {
		case isImage:
			rt = "image"
		case isVideo:
			rt = "video"
		default:
			rt = "raw"
		}
	}
	a := &Asset{ResourceType: rt, ContentType: sniff}
	switch rt {
	case "image":
		if !isImage {
			apiError(w, http.StatusBadRequest, "Invalid image file")
			return
		}
		a.Format = formatOf(sniffType)
		if cfg, f, err := image.DecodeConfig(bytes.NewReader(data)); err == nil {
			a.Width, a.Height = cfg.Width, cfg.Height
			a.Format = formatOf("image/" + f)
		}
	case "video":
		if !isVideo {
			apiError(w, http.StatusBadRequest, "Invalid video file")
			return
		}
		a.Format = formatOf(sniffType)
	}
	a.Type = p.Get("type")
	if a.Type == "" {
		a.Type = "upload"
	}
	if a.Type != "upload" && a.Type != "private" && a.Type != "authenticated" {
		apiError(w, http.StatusBadRequest, "Invalid type %s", a.Type)
		return
	}
	base := strings.TrimSuffix(path.Base(req.filename), path.Ext(req.filename))
	a.OriginalFilename = base
	a.PublicID = p.Get("public_id")
	if a.PublicID == "" {
		a.PublicID = randomID(20)
		if rt == "raw" {
			a.PublicID += path.Ext(req.filename)
		}
	}
	if f := strings.Trim(p.Get("folder"), "/"); f != "" {
		a.PublicID = f + "/" + a.PublicID
	}
	if badPublicID.MatchString(a.PublicID) || len(a.PublicID) > 255 ||
		strings.TrimSpace(strings.Trim(a.PublicID, "/")) != a.PublicID {
		apiError(w, http.StatusBadRequest, "Invalid public_id %s", a.PublicID)
		return
	}
	overwrite := p.Get("overwrite") != "false" && p.Get("overwrite") != "0"
	now := s.opts.Now()
	k := assetKey{rt, a.Type, a.PublicID}

	s.mu.Lock()
	old, exists := s.assets[k]
	if exists && !overwrite {
		resp := s.response(old, true)
		resp["existing"] = true
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, resp)
		return
	}
	sum := md5.Sum(data)
	a.ETag = hex.EncodeToString(sum[:])
	a.Version = s.nextVersion(now)
	a.VersionID = randomHex(16)
	a.AssetID = randomHex(16)
	if exists {
		a.AssetID = old.AssetID
	}
	a.CreatedAt = now.UTC().Truncate(time.Second)
	a.Data = data
	s.assets[k] = a
	resp := s.response(a, true)
	s.mu.Unlock()
	if exists {
		resp["overwritten"] = true
	}
	writeJSON(w, http.StatusOK, resp)
}

// formatOf is Cloudinary's format name for a sniffed MIME type.
func formatOf(mt string) string {
	switch mt {
	case "image/jpeg":
		return "jpg"
	case "image/vnd.microsoft.icon", "image/x-icon":
		return "ico"
	case "audio/mpeg":
		return "mp3"
	case "audio/wave", "audio/wav":
		return "wav"
	case "video/avi":
		return "avi"
	case "application/ogg", "audio/ogg", "video/ogg":
		return "ogg"
	}
	if i := strings.IndexByte(mt, '/'); i >= 0 {
		return strings.TrimPrefix(mt[i+1:], "x-")
	}
	return ""
}

// response is the JSON Cloudinary reports for a: the upload response
// when upload is set (with signature and api_key), else the Admin API's.
func (s *Server) response(a *Asset, upload bool) map[string]any {
	file := a.PublicID
	if a.ResourceType != "raw" && a.Format != "" {
		file += "." + a.Format
	}
	sig := ""
	if a.Type != "upload" {
		sig = DeliverySignature(file, s.opts.APISecret, false) + "/"
	}
	u := fmt.Sprintf("%s/%s/%s/%s/%sv%d/%s", s.URL, s.opts.CloudName, a.ResourceType, a.Type, sig, a.Version, escapePath(file))
	resp := map[string]any{
		"asset_id":          a.AssetID,
		"public_id":         a.PublicID,
		"version":           a.Version,
		"version_id":        a.VersionID,
		"resource_type":     a.ResourceType,
		"type":              a.Type,
		"created_at":        a.CreatedAt.Format(time.RFC3339),
		"bytes":             len(a.Data),
		"etag":              a.ETag,
		"placeholder":       false,
		"tags":              []string{},
		"url":               u,
		"secure_url":        u,
		"asset_folder":      "",
		"display_name":      path.Base(a.PublicID),
		"original_filename": a.OriginalFilename,
	}
	if a.Format != "" {
		resp["format"] = a.Format
	}
	if a.Width > 0 {
		resp["width"], resp["height"] = a.Width, a.Height
	}
	if upload {
		resp["signature"] = ResponseSignature(a.PublicID, a.Version, s.opts.APISecret, s.opts.SignatureAlgorithm)
		resp["api_key"] = s.opts.APIKey
	} else {
		resp["access_mode"] = "public"
		resp["derived"] = []any{}
	}
	return resp
}

func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randomID(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
