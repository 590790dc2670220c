package cloudinaryfake

import (
	"bytes"
	"crypto/subtle"
	"net/http"
	"path"
	"regexp"
	"strings"
)

var (
	signatureSeg = regexp.MustCompile(`^s--[A-Za-z0-9_-]{8}--$|^s--[A-Za-z0-9_-]{32}--$`)
	versionSeg   = regexp.MustCompile(`^v[0-9]+$`)
	componentRe  = regexp.MustCompile(`^([a-z]{1,4})_[A-Za-z0-9_:.!$@*^=+()~-]+$|^fl_attachment$`)
)

// isTransformation reports whether seg is one transformation component:
// comma-separated "key_value" parameters.
func isTransformation(seg string) bool {
	for _, c := range strings.Split(seg, ",") {
		if !componentRe.MatchString(c) {
			return false
		}
	}
	return seg != ""
}

// handleDelivery serves /<cloud>/<rt>/<type>/[s--SIG--/][transformations/]
// [v<version>/]<public_id>[.<format>] with the stored bytes (the fake does
// not transform; it reports the transformation in X-Fake-Transformation).
// A signature, when present, must be right; "authenticated" and "private"
// assets require one. fl_attachment[:name] makes it an attachment.
func (s *Server) handleDelivery(w http.ResponseWriter, r *http.Request) {
	notFound := func() {
		w.Header().Set("X-Cld-Error", "Resource not found")
		http.Error(w, "Resource not found", http.StatusNotFound)
	}
	if r.PathValue("cloud") != s.opts.CloudName {
		notFound()
		return
	}
	rt, typ := r.PathValue("rt"), r.PathValue("type")
	segs := strings.Split(r.PathValue("rest"), "/")
	sig := ""
	if len(segs) > 1 && signatureSeg.MatchString(segs[0]) {
		sig, segs = segs[0], segs[1:]
	}
	var (
		a     *Asset
		trans []string
		file  string
	)
	s.mu.Lock()
	for i := 0; i < len(segs) && a == nil; i++ {
		t := segs[:i]
		if len(t) > 0 && versionSeg.MatchString(t[len(t)-1]) {
			t = t[:len(t)-1]
		}
		ok := true
		for _, seg := range t {
			if !isTransformation(seg) {
				ok = false
			}
		}
		if !ok {
			break
		}
		file = strings.Join(segs[i:], "/")
		if found := s.assets[assetKey{rt, typ, file}]; found != nil {
			a, trans = found, t
		} else if ext := path.Ext(file); rt != "raw" && ext != "" {
			if found := s.assets[assetKey{rt, typ, strings.TrimSuffix(file, ext)}]; found != nil {
				a, trans = found, t
			}
		}
	}
	var data []byte
	var asset Asset
	if a != nil {
		asset, data = *a, a.Data
	}
	s.mu.Unlock()
	if a == nil {
		notFound()
		return
	}
	transformation := strings.Join(trans, "/")
	toSign := file
	if transformation != "" {
		toSign = transformation + "/" + file
	}
	if sig != "" || typ != "upload" {
		want := DeliverySignature(toSign, s.opts.APISecret, len(sig) > 13)
		if subtle.ConstantTimeCompare([]byte(sig), []byte(want)) != 1 {
			w.Header().Set("X-Cld-Error", "Invalid or missing signature")
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
	}
	if transformation != "" {
		w.Header().Set("X-Fake-Transformation", transformation)
	}
	for _, seg := range trans {
		for _, c := range strings.Split(seg, ",") {
			if name, ok := strings.CutPrefix(c, "fl_attachment"); ok {
				name = strings.TrimPrefix(name, ":")
				if name == "" {
					name = path.Base(asset.PublicID)
				}
				if asset.Format != "" && asset.ResourceType != "raw" {
					name += "." + asset.Format
				}
				w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
			}
		}
	}
	w.Header().Set("Content-Type", asset.ContentType)
	w.Header().Set("ETag", `"`+asset.ETag+`"`)
	http.ServeContent(w, r, "", asset.CreatedAt, bytes.NewReader(data))
}
