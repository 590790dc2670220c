package cloudinary

import (
	"mime"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxPublicIDLen is Cloudinary's limit on public IDs, in bytes.
const maxPublicIDLen = 255

// ref addresses one Cloudinary asset. Its key form,
// "<resource_type>/<type>/<public_id>", is the Object.Key this package
// returns (see the package documentation, # Keys).
type ref struct {
	// ResourceType is "image", "video", "raw", or "auto" while unknown
	// (a direct upload not yet confirmed).
	ResourceType string
	// Type is the delivery type: "upload", "authenticated" or "private".
	Type string
	// PublicID is Cloudinary's public ID: without extension for images
	// and videos, with it for raw files.
	PublicID string
}

// Key is the key form of r.
func (r ref) Key() string { return r.ResourceType + "/" + r.Type + "/" + r.PublicID }

func isResourceType(s string) bool {
	return s == "image" || s == "video" || s == "raw" || s == "auto"
}

// refOf resolves a key given to Stat, Delete, URL or VerifyDirect: the key
// form this package returns, or else a Client key ("owner/id-name.ext"),
// mapped as Put would map it with a resource type guessed from its
// extension ("auto" when there is none).
func (p *Provider) refOf(key string) (ref, bool) {
	if parts := strings.SplitN(key, "/", 3); len(parts) == 3 &&
		isResourceType(parts[0]) && validDeliveryType(parts[1]) &&
		parts[2] != "" && sanitizePath(parts[2]) == parts[2] && len(parts[2]) <= maxPublicIDLen {
		return ref{ResourceType: parts[0], Type: parts[1], PublicID: parts[2]}, true
	}
	return p.mapKey(key, resourceTypeOf("", "", key))
}

// mapKey maps a Client key to the asset Put or PrepareDirect creates for
// it: Config.Folder + the key with every character that Cloudinary does
// not allow in a public ID replaced by "_", without the extension unless
// resourceType is "raw", at most 255 bytes.
func (p *Provider) mapKey(key, resourceType string) (ref, bool) {
	id := sanitizePath(key)
	ext := ""
	if e := path.Ext(id); isExtension(e) && len(id) > len(e) && id[len(id)-len(e)-1] != '/' {
		id, ext = strings.TrimSuffix(id, e), e
	}
	if resourceType != "raw" {
		ext = ""
	}
	if id == "" {
		return ref{}, false
	}
	if p.cfg.Folder != "" {
		id = p.cfg.Folder + "/" + id
	}
	id = truncateUTF8(id, maxPublicIDLen-len(ext)) + ext
	return ref{ResourceType: resourceType, Type: p.cfg.DeliveryType, PublicID: id}, true
}

// isExtension reports whether e is a file extension worth stripping:
// a dot and 1 to 10 ASCII letters or digits.
func isExtension(e string) bool {
	if len(e) < 2 || len(e) > 11 || e[0] != '.' {
		return false
	}
	for _, c := range e[1:] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// sanitizePath makes s a valid public ID path: segments split on "/",
// empty ones dropped, and in each segment every rune other than a letter,
// a digit, "-", "_" or "." replaced by "_" ("." and ".." become "_").
func sanitizePath(s string) string {
	var out []string
	for _, seg := range strings.Split(s, "/") {
		if seg == "" {
			continue
		}
		seg = strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.' {
				return r
			}
			return '_'
		}, seg)
		if seg == "." || seg == ".." {
			seg = "_"
		}
		out = append(out, seg)
	}
	return strings.Join(out, "/")
}

// truncateUTF8 cuts s to at most n bytes at a rune boundary, without a
// trailing "/".
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strings.TrimRight(s[:n], "/")
}

// resourceTypeOf picks the resource type of an upload: the Client's
// resourceType when it is one, else from the content type, else from the
// key's extension, else "auto" (Cloudinary decides).
func resourceTypeOf(resourceType, contentType, key string) string {
	switch resourceType {
	case "image", "video", "raw":
		return resourceType
	}
	if contentType == "" {
		contentType = mimeByExt(path.Ext(key))
		if contentType == "" {
			return "auto"
		}
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case strings.HasPrefix(mt, "image/"):
		return "image"
	case strings.HasPrefix(mt, "video/"), strings.HasPrefix(mt, "audio/"):
		return "video"
	case mt == "":
		return "auto"
	}
	return "raw"
}

// contentTypeOf is the MIME type of an image or video from the format
// Cloudinary reports. Cloudinary reports no type for raw files: "".
func contentTypeOf(resourceType, format string) string {
	if resourceType == "raw" || format == "" {
		return ""
	}
	return mimeByExt("." + format)
}

// mimeTypes are the types of Cloudinary's common formats, so that the
// answer does not depend on the machine's MIME tables.
var mimeTypes = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
	".webp": "image/webp", ".avif": "image/avif", ".svg": "image/svg+xml", ".bmp": "image/bmp",
	".tif": "image/tiff", ".tiff": "image/tiff", ".ico": "image/vnd.microsoft.icon",
	".heic": "image/heic", ".pdf": "application/pdf",
	".mp4": "video/mp4", ".webm": "video/webm", ".mov": "video/quicktime", ".ogv": "video/ogg",
	".mkv": "video/x-matroska", ".avi": "video/x-msvideo",
	".mp3": "audio/mpeg", ".wav": "audio/wav", ".ogg": "audio/ogg", ".m4a": "audio/mp4",
	".flac": "audio/flac", ".aac": "audio/aac",
	".txt": "text/plain; charset=utf-8", ".csv": "text/csv; charset=utf-8", ".json": "application/json",
	".zip": "application/zip",
}

// mimeByExt is the MIME type of a file extension ("" when unknown).
func mimeByExt(ext string) string {
	ext = strings.ToLower(ext)
	if t, ok := mimeTypes[ext]; ok {
		return t
	}
	return mime.TypeByExtension(ext)
}
