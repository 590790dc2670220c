package cloudinaryfake

import (
	"crypto/subtle"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
)

func multipartReader(r io.Reader, boundary string) (*multipart.Reader, error) {
	if boundary == "" {
		return nil, errors.New("multipart body without boundary")
	}
	return multipart.NewReader(r, boundary), nil
}

// handleDestroy is POST /v1_1/<cloud>/<rt>/destroy: signed like uploads;
// {"result":"ok"} or, for a missing asset, {"result":"not found"}.
func (s *Server) handleDestroy(w http.ResponseWriter, r *http.Request) {
	rt := r.PathValue("rt")
	if rt != "image" && rt != "video" && rt != "raw" {
		apiError(w, http.StatusNotFound, "Invalid resource type %s", rt)
		return
	}
	req, err := s.readRequest(w, r)
	if err != nil {
		apiError(w, http.StatusBadRequest, "Malformed request body")
		return
	}
	if !s.checkAuth(w, r, req.params) {
		return
	}
	id := req.params.Get("public_id")
	if id == "" {
		apiError(w, http.StatusBadRequest, "Missing required parameter - public_id")
		return
	}
	typ := req.params.Get("type")
	if typ == "" {
		typ = "upload"
	}
	k := assetKey{rt, typ, id}
	s.mu.Lock()
	_, ok := s.assets[k]
	delete(s.assets, k)
	s.mu.Unlock()
	result := "ok"
	if !ok {
		result = "not found"
	}
	writeJSON(w, http.StatusOK, map[string]string{"result": result})
}

// handleGetResource is the Admin API's GET
// /v1_1/<cloud>/resources/<rt>/<type>/<public_id> with HTTP Basic auth.
func (s *Server) handleGetResource(w http.ResponseWriter, r *http.Request) {
	key, secret, ok := r.BasicAuth()
	switch {
	case !ok || key == "":
		apiError(w, http.StatusUnauthorized, "Must supply api_key")
		return
	case key != s.opts.APIKey:
		apiError(w, http.StatusUnauthorized, "Unknown API key %s", key)
		return
	case subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.APISecret)) != 1:
		apiError(w, http.StatusUnauthorized, "api_secret mismatch")
		return
	case r.PathValue("cloud") != s.opts.CloudName:
		apiError(w, http.StatusUnauthorized, "Invalid cloud_name %s", r.PathValue("cloud"))
		return
	}
	rt, typ, id := r.PathValue("rt"), r.PathValue("type"), r.PathValue("id")
	if rt != "image" && rt != "video" && rt != "raw" {
		apiError(w, http.StatusNotFound, "Invalid resource type %s", rt)
		return
	}
	s.mu.Lock()
	a, found := s.assets[assetKey{rt, typ, id}]
	var resp map[string]any
	if found {
		resp = s.response(a, false)
	}
	s.mu.Unlock()
	if !found {
		apiError(w, http.StatusNotFound, "Resource not found - %s", id)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}
