package uploadcarefake

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	_ "image/gif" // image dimensions of uploads
	_ "image/jpeg"
	_ "image/png"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

const (
	minMultipartSize = 10485760
	minPartSize      = 5242880
	maxFieldSize     = 64 << 10
)

func (s *Server) uploadHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /base/{$}", s.handleBase)
	mux.HandleFunc("POST /multipart/start/{$}", s.handleMultipartStart)
	mux.HandleFunc("PUT /multipart/part/{uuid}/{$}", s.handleMultipartPart)
	mux.HandleFunc("POST /multipart/complete/{$}", s.handleMultipartComplete)
	mux.HandleFunc("GET /info/{$}", s.handleInfo)
	return mux
}

// countingReader adds what it reads to the server's Received counter.
type countingReader struct {
	r io.Reader
	s *Server
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.s.received.Add(int64(n))
	return n, err
}

// checkAuth checks the public key and the signed upload fields; it returns
// the status and text of the refusal, or 0.
func (s *Server) checkAuth(get func(string) string) (int, string) {
	switch pk := get("UPLOADCARE_PUB_KEY"); {
	case pk == "":
		return http.StatusBadRequest, "UPLOADCARE_PUB_KEY is required."
	case pk != s.opts.PublicKey:
		return http.StatusForbidden, "UPLOADCARE_PUB_KEY is invalid."
	}
	sig, exp := get("signature"), get("expire")
	if sig == "" && exp == "" && !s.opts.SignedUploads {
		return 0, ""
	}
	if sig == "" {
		return http.StatusBadRequest, "`signature` is required."
	}
	if exp == "" {
		return http.StatusBadRequest, "`expire` is required."
	}
	expire, err := strconv.ParseInt(exp, 10, 64)
	if err != nil {
		return http.StatusBadRequest, "`expire` must be a UNIX timestamp."
	}
	if expire < s.opts.Now().Unix() {
		return http.StatusForbidden, "Expired signature."
	}
	m := hmac.New(sha256.New, []byte(s.opts.SecretKey))
	m.Write([]byte(exp))
	if !hmac.Equal([]byte(sig), []byte(hex.EncodeToString(m.Sum(nil)))) {
		return http.StatusForbidden, "Invalid signature."
	}
	return 0, ""
}

// storeChoice reads UPLOADCARE_STORE.
func (s *Server) storeChoice(v string) (bool, error) {
	switch v {
	case "1", "true":
		return true, nil
	case "0", "false":
		return false, nil
	case "", "auto":
		return !s.opts.AutoStoreOff, nil
	}
	return false, errors.New("UPLOADCARE_STORE must be 0, 1 or auto.")
}

var metadataKeyRE = regexp.MustCompile(`^metadata\[([A-Za-z0-9_.:-]{1,64})\]$`)

// metadata collects the metadata[key] fields; keys with other characters
// are ignored, as Uploadcare does.
func metadata(fields map[string]string) (map[string]string, error) {
	md := map[string]string{}
	for k, v := range fields {
		m := metadataKeyRE.FindStringSubmatch(k)
		if m == nil {
			continue
		}
		if len(v) == 0 || len([]rune(v)) > 512 {
			return nil, errors.New("Metadata values must have 1 to 512 characters.")
		}
		md[m[1]] = v
	}
	if len(md) > 50 {
		return nil, errors.New("Too many metadata keys.")
	}
	return md, nil
}

type uploadedPart struct {
	field, filename, contentType string
	data                         []byte
	size                         int64
}

// headKeep is how much of a file Options.DiscardContent keeps.
const headKeep = 512

// sink counts what is written to it and keeps the first keep bytes (all
// of them when keep is negative).
type sink struct {
	buf  bytes.Buffer
	n    int64
	keep int64
}

func (k *sink) Write(b []byte) (int, error) {
	k.n += int64(len(b))
	if room := k.keep - int64(k.buf.Len()); k.keep < 0 {
		k.buf.Write(b)
	} else if room > 0 {
		k.buf.Write(b[:min(int64(len(b)), room)])
	}
	return len(b), nil
}

// newSink keeps everything, or only the head of a file's first bytes with
// Options.DiscardContent (first tells whether they are the file's first).
func (s *Server) newSink(first bool) *sink {
	switch {
	case !s.opts.DiscardContent:
		return &sink{keep: -1}
	case first:
		return &sink{keep: headKeep}
	}
	return &sink{}
}

func (s *Server) handleBase(w http.ResponseWriter, r *http.Request) {
	mr, err := r.MultipartReader()
	if err != nil {
		textError(w, http.StatusBadRequest, "Request must be multipart/form-data.")
		return
	}
	fields := map[string]string{}
	var files []uploadedPart
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			textError(w, http.StatusBadRequest, "Malformed multipart body.")
			return
		}
		name := part.FormName()
		if part.FileName() == "" {
			b, err := io.ReadAll(io.LimitReader(part, maxFieldSize))
			if err != nil {
				textError(w, http.StatusBadRequest, "Malformed multipart body.")
				return
			}
			fields[name] = string(b)
			continue
		}
		buf := s.newSink(true)
		n, err := io.Copy(buf, io.LimitReader(countingReader{part, s}, s.opts.BaseLimit+1))
		if err != nil {
			textError(w, http.StatusBadRequest, "Malformed multipart body.")
			return
		}
		if n > s.opts.BaseLimit {
			textError(w, http.StatusRequestEntityTooLarge, "File is too large.")
			return
		}
		files = append(files, uploadedPart{field: name, filename: part.FileName(), contentType: part.Header.Get("Content-Type"),
			data: buf.buf.Bytes(), size: n})
	}
	if status, msg := s.checkAuth(func(k string) string { return fields[k] }); status != 0 {
		textError(w, status, msg)
		return
	}
	store, err := s.storeChoice(fields["UPLOADCARE_STORE"])
	if err != nil {
		textError(w, http.StatusBadRequest, err.Error())
		return
	}
	md, err := metadata(fields)
	if err != nil {
		textError(w, http.StatusBadRequest, err.Error())
		return
	}
	if len(files) == 0 {
		textError(w, http.StatusBadRequest, "Request does not contain files.")
		return
	}
	res := map[string]string{}
	for _, f := range files {
		res[f.field] = s.addFile("", f.filename, f.contentType, f.data, f.size, md, store, false).UUID
	}
	writeJSON(w, http.StatusOK, res)
}

// addFile records an uploaded file of size bytes, of which data holds all
// or (with Options.DiscardContent) the first ones. Its MIME type is the
// declared one, else the one sniffed from its first bytes.
func (s *Server) addFile(uuid, name, declared string, data []byte, size int64, md map[string]string, store, multipart bool) *file {
	if uuid == "" {
		uuid = newUUID()
	}
	now := s.opts.Now()
	f := &file{File: File{
		UUID:             uuid,
		Size:             size,
		OriginalFilename: name,
		Metadata:         md,
		Uploaded:         now,
		Multipart:        multipart,
	}, data: data}
	f.MimeType = "application/octet-stream"
	if declared == "" {
		declared = http.DetectContentType(data)
	}
	if mt, _, err := mime.ParseMediaType(declared); err == nil {
		f.MimeType = mt
	}
	if cfg, format, err := image.DecodeConfig(bytes.NewReader(data)); err == nil {
		f.isImage, f.format, f.width, f.height = true, strings.ToUpper(format), cfg.Width, cfg.Height
	}
	if store {
		f.Stored, f.stored = true, now
	}
	s.mu.Lock()
	s.files[f.UUID] = f
	s.mu.Unlock()
	return f
}

// uploadInfo is the Upload API's fileUploadInfo.
func (f *file) uploadInfo() map[string]any {
	var img any
	if f.isImage {
		img = map[string]any{"format": f.format, "width": f.width, "height": f.height,
			"sequence": false, "color_mode": "RGB", "orientation": nil, "geo_location": nil,
			"datetime_original": nil, "dpi": nil}
	}
	return map[string]any{
		"uuid": f.UUID, "file_id": f.UUID, "size": f.Size, "total": f.Size, "done": f.Size,
		"original_filename": f.OriginalFilename, "filename": sanitize(f.OriginalFilename),
		"mime_type": f.MimeType, "is_image": f.isImage, "is_stored": f.Stored, "is_ready": true,
		"image_info": img, "video_info": nil, "content_info": f.contentInfo(), "metadata": f.Metadata,
		"s3_bucket": nil,
	}
}

func (f *file) contentInfo() map[string]any {
	typ, sub, _ := strings.Cut(f.MimeType, "/")
	ci := map[string]any{"mime": map[string]any{"mime": f.MimeType, "type": typ, "subtype": sub}}
	if f.isImage {
		ci["image"] = map[string]any{"format": f.format, "width": f.width, "height": f.height,
			"sequence": false, "color_mode": "RGB", "orientation": nil, "geo_location": nil,
			"datetime_original": nil, "dpi": nil}
	}
	return ci
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

func sanitize(name string) string { return unsafeName.ReplaceAllString(name, "_") }

func (s *Server) handleInfo(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch pk := q.Get("pub_key"); {
	case pk == "":
		textError(w, http.StatusBadRequest, "pub_key is required.")
		return
	case pk != s.opts.PublicKey:
		textError(w, http.StatusForbidden, "pub_key is invalid.")
		return
	}
	if s.failInfo.Add(-1) >= 0 {
		textError(w, http.StatusInternalServerError, "Internal error.")
		return
	}
	s.mu.Lock()
	f, ok := s.files[q.Get("file_id")]
	var info map[string]any
	if ok && !f.Removed {
		info = f.uploadInfo()
	}
	s.mu.Unlock()
	if info == nil {
		textError(w, http.StatusNotFound, "File is not found.")
		return
	}
	writeJSON(w, http.StatusOK, info)
}

// multipartUpload is an upload between /multipart/start/ and complete.
type multipartUpload struct {
	uuid, filename, contentType, token string
	size, partSize                     int64
	metadata                           map[string]string
	store                              bool
	parts                              [][]byte
}

func (s *Server) handleMultipartStart(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		textError(w, http.StatusBadRequest, "Request must be multipart/form-data.")
		return
	}
	fields := map[string]string{}
	for k, v := range r.MultipartForm.Value {
		fields[k] = v[0]
	}
	if status, msg := s.checkAuth(func(k string) string { return fields[k] }); status != 0 {
		textError(w, status, msg)
		return
	}
	size, err := strconv.ParseInt(fields["size"], 10, 64)
	if err != nil || size < 0 {
		textError(w, http.StatusBadRequest, "`size` is required.")
		return
	}
	if size < minMultipartSize {
		textError(w, http.StatusBadRequest, "File size can not be less than 10485760 bytes. Please use direct upload instead of multipart.")
		return
	}
	partSize := int64(minPartSize)
	if v := fields["part_size"]; v != "" {
		if partSize, err = strconv.ParseInt(v, 10, 64); err != nil || partSize < minPartSize || partSize > 5368709120 {
			textError(w, http.StatusBadRequest, "`part_size` must be from 5242880 to 5368709120.")
			return
		}
	}
	if fields["filename"] == "" {
		textError(w, http.StatusBadRequest, "`filename` is required.")
		return
	}
	store, err := s.storeChoice(fields["UPLOADCARE_STORE"])
	if err != nil {
		textError(w, http.StatusBadRequest, err.Error())
		return
	}
	md, err := metadata(fields)
	if err != nil {
		textError(w, http.StatusBadRequest, err.Error())
		return
	}
	u := &multipartUpload{
		uuid: newUUID(), filename: fields["filename"], token: randomHex(32),
		contentType: fields["content_type"], size: size, partSize: partSize, metadata: md, store: store,
	}
	if u.contentType == "" {
		u.contentType = "application/octet-stream"
	}
	n := int((size + partSize - 1) / partSize)
	u.parts = make([][]byte, n)
	urls := make([]string, n)
	for i := range urls {
		urls[i] = s.UploadURL + "/multipart/part/" + u.uuid + "/?partNumber=" + strconv.Itoa(i+1) +
			"&X-Amz-Expires=86400&X-Amz-Signature=" + u.token
	}
	s.mu.Lock()
	s.uploads[u.uuid] = u
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"uuid": u.uuid, "parts": urls})
}

// s3Error answers like the storage behind the presigned part URLs, whose
// errors echo the signature they got.
func s3Error(w http.ResponseWriter, status int, code, sig string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "<Error><Code>"+code+"</Code><SignatureProvided>"+sig+"</SignatureProvided></Error>")
}

func (s *Server) handleMultipartPart(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sig := q.Get("X-Amz-Signature")
	s.mu.Lock()
	u, ok := s.uploads[r.PathValue("uuid")]
	s.mu.Unlock()
	if !ok || !hmac.Equal([]byte(sig), []byte(u.token)) {
		s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", sig)
		return
	}
	if r.Header.Get("Content-Type") != u.contentType {
		s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", sig)
		return
	}
	i, err := strconv.Atoi(q.Get("partNumber"))
	if err != nil || i < 1 || i > len(u.parts) {
		s3Error(w, http.StatusBadRequest, "InvalidArgument", sig)
		return
	}
	if s.failParts.Add(-1) >= 0 {
		_, _ = io.Copy(io.Discard, r.Body)
		s3Error(w, http.StatusInternalServerError, "InternalError", sig)
		return
	}
	want := min(u.partSize, u.size-int64(i-1)*u.partSize)
	buf := s.newSink(i == 1)
	n, err := io.Copy(buf, io.LimitReader(countingReader{r.Body, s}, want+1))
	if err != nil || n != want {
		s3Error(w, http.StatusBadRequest, "IncompleteBody", sig)
		return
	}
	data := buf.buf.Bytes()
	if data == nil {
		data = []byte{} // received, even when nothing of it is kept
	}
	s.mu.Lock()
	u.parts[i-1] = data
	s.mu.Unlock()
	w.Header().Set("ETag", `"`+randomHex(16)+`"`)
	w.WriteHeader(http.StatusOK)
}

func (s *Server) handleMultipartComplete(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		textError(w, http.StatusBadRequest, "Request must be multipart/form-data.")
		return
	}
	get := r.MultipartForm.Value
	first := func(k string) string {
		if v := get[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	switch pk := first("UPLOADCARE_PUB_KEY"); {
	case pk == "":
		textError(w, http.StatusBadRequest, "UPLOADCARE_PUB_KEY is required.")
		return
	case pk != s.opts.PublicKey:
		textError(w, http.StatusForbidden, "UPLOADCARE_PUB_KEY is invalid.")
		return
	}
	s.mu.Lock()
	u, ok := s.uploads[first("uuid")]
	var data []byte
	complete := ok
	if ok {
		for _, p := range u.parts {
			if p == nil {
				complete = false
			}
			data = append(data, p...)
		}
		if complete {
			delete(s.uploads, u.uuid)
		}
	}
	s.mu.Unlock()
	if !ok {
		textError(w, http.StatusNotFound, "Upload is not found.")
		return
	}
	if !complete {
		textError(w, http.StatusBadRequest, "Not all parts are uploaded.")
		return
	}
	f := s.addFile(u.uuid, u.filename, u.contentType, data, u.size, u.metadata, u.store, true)
	s.mu.Lock()
	info := f.uploadInfo()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, info)
}
