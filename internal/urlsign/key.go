package urlsign

import (
	"errors"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxKeyLen is the longest key CheckKey accepts, in bytes.
const MaxKeyLen = 1024

// CheckKey reports whether key is a relative, slash-separated path that stays
// inside its root: not empty, at most MaxKeyLen bytes, valid UTF-8, no NUL or
// other control byte, no backslash, no leading or trailing slash, and no
// empty, "." or ".." segment. The error does not repeat the key.
func CheckKey(key string) error {
	switch {
	case key == "":
		return errors.New("empty key")
	case len(key) > MaxKeyLen:
		return errors.New("key too long")
	case !utf8.ValidString(key):
		return errors.New("key is not valid UTF-8")
	case strings.ContainsFunc(key, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }):
		return errors.New("key holds a control character or a backslash")
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return errors.New("key has an empty, \".\" or \"..\" segment")
		}
	}
	return nil
}

// EscapeKey escapes each segment of key for a URL path.
func EscapeKey(key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
