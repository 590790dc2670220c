package mediastore

import (
	"crypto/rand"
	"encoding/base32"
	"mime"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the parts of a generated key.
const (
	maxOwnerLen    = 256
	maxNameLen     = 100 // sanitized file name, extension included
	maxExtLen      = 16
	maxOwnerSegLen = 64
)

// newUniqueID returns 20 random base32 characters (100 bits).
func newUniqueID() string {
	var b [13]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))[:20]
}

// validOwner reports whether owner can scope files: non-empty, bounded, and
// free of control characters.
func validOwner(owner string) bool {
	if owner == "" || len(owner) > maxOwnerLen || !utf8.ValidString(owner) {
		return false
	}
	for _, r := range owner {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// SanitizeFilename returns a safe version of a client's file name: the base
// name only (no directories, no ".."), letters, digits, '.', '-' and '_'
// kept, every other run of characters replaced by one '-', no leading dots,
// the extension lowercased and kept, and at most 100 bytes. It returns ""
// when nothing usable is left.
func SanitizeFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	// Keep the last path element whatever the separator.
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	// Trailing dots and spaces hide the real extension ("photo.PNG.").
	name = strings.TrimRight(name, ". ")
	ext := ""
	// The extension is what follows the last dot that leaves a usable one:
	// a suffix that cleans to nothing is dropped and the split tried again,
	// and an over-long "extension" is part of the name. (Otherwise the
	// result's own last dot would split differently the next time.)
	for {
		i := strings.LastIndexByte(name, '.')
		if i <= 0 {
			break
		}
		e := cleanPart(strings.ToLower(name[i+1:]))
		if e == "" {
			name = strings.TrimRight(name[:i], ". ")
			continue
		}
		if len(e) <= maxExtLen {
			ext, name = e, name[:i]
		}
		break
	}
	base := cleanPart(name)
	if ext == "" {
		// With no extension the name keeps no dot: a cut to the length
		// limit could otherwise turn its tail into one.
		base = strings.ReplaceAll(base, ".", "-")
	}
	if base == "" && ext == "" {
		return ""
	}
	if base == "" {
		base = "file"
	}
	limit := maxNameLen
	if ext != "" {
		limit -= len(ext) + 1
	}
	if len(base) > limit {
		base = strings.TrimRight(truncateUTF8(base, limit), "-._")
	}
	if ext != "" {
		return base + "." + ext
	}
	return base
}

// cleanPart keeps ASCII letters, digits, '-', '_' and inner dots, replacing
// every other run with '-', and trims separators from both ends.
func cleanPart(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		ok := r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
		if !ok {
			if !dash {
				b.WriteByte('-')
				dash = true
			}
			continue
		}
		b.WriteRune(r)
		dash = r == '-'
	}
	out := b.String()
	for strings.Contains(out, "..") {
		out = strings.ReplaceAll(out, "..", ".")
	}
	return strings.Trim(out, "-._")
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// ownerSegment is the owner's part of a key: sanitized and bounded. Two
// owners may share a segment; ownership is decided by the row, never by the
// key, and the unique id keeps keys apart.
func ownerSegment(owner string) string {
	seg := cleanPart(owner)
	if seg == "" {
		seg = "owner"
	}
	return strings.TrimRight(truncateUTF8(seg, maxOwnerSegLen), "-._")
}

// makeKey builds "<owner>/<unique>-<name>" for a sanitized file name, adding
// an extension from the content type when the name has none.
func makeKey(owner, unique, filename, contentType string) string {
	name := filename
	if name == "" {
		name = "file"
	}
	if path.Ext(name) == "" {
		if ext := extensionFor(contentType); ext != "" {
			name += ext
		}
	}
	return ownerSegment(owner) + "/" + unique + "-" + name
}

// extensionFor returns a conventional extension for a content type.
func extensionFor(ct string) string {
	mt := mediaType(ct)
	switch mt {
	case "image/jpeg":
		return ".jpg"
	case "text/plain":
		return ".txt"
	case "application/octet-stream", "":
		return ""
	}
	if exts, _ := mime.ExtensionsByType(mt); len(exts) > 0 {
		return exts[0]
	}
	return ""
}
