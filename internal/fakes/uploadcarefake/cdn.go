package uploadcarefake

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
)

func (s *Server) cdnHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{uuid}/{rest...}", s.handleCDN)
	return mux
}

func (s *Server) handleCDN(w http.ResponseWriter, r *http.Request) {
	if s.opts.SecureDeliverySecret != "" && !s.validToken(r) {
		http.Error(w, "Forbidden", http.StatusForbidden)
		return
	}
	s.mu.Lock()
	f, ok := s.files[r.PathValue("uuid")]
	ok = ok && !f.Removed
	var data []byte
	var meta File
	if ok {
		data, meta = f.data, f.File
	}
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", meta.MimeType)
	if strings.Contains(r.URL.Path, "/-/inline/no/") {
		name := r.PathValue("rest")
		if i := strings.LastIndex(name, "/"); i >= 0 {
			name = name[i+1:]
		}
		w.Header().Set("Content-Disposition", "attachment; filename="+strconv.Quote(name))
	}
	http.ServeContent(w, r, "", meta.Uploaded, bytes.NewReader(data))
}

// validToken checks ?token=exp=<unix>~acl=<path>~hmac=<hex>, read raw from
// the query as a CDN edge reads it: not expired, the ACL covering the
// path (exactly, or as a prefix when it ends in "*") and the HMAC-SHA256
// made with the hex-decoded secret.
func (s *Server) validToken(r *http.Request) bool {
	var token string
	for _, kv := range strings.Split(r.URL.RawQuery, "&") {
		if v, ok := strings.CutPrefix(kv, "token="); ok {
			token = v
		}
	}
	var exp, acl, mac string
	for _, f := range strings.Split(token, "~") {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "exp":
			exp = v
		case "acl":
			acl = v
		case "hmac":
			mac = v
		}
	}
	e, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || e < s.opts.Now().Unix() || acl == "" {
		return false
	}
	path := r.URL.EscapedPath()
	if prefix, ok := strings.CutSuffix(acl, "*"); ok {
		if !strings.HasPrefix(path, prefix) {
			return false
		}
	} else if path != acl {
		return false
	}
	key, err := hex.DecodeString(s.opts.SecureDeliverySecret)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("exp=" + exp + "~acl=" + acl))
	return hmac.Equal([]byte(mac), []byte(hex.EncodeToString(m.Sum(nil))))
}
