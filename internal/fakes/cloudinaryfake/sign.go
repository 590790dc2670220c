package cloudinaryfake

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// This file is the fake's own implementation of Cloudinary's algorithms,
// written from the documentation and independent of the provider's code,
// so that a bug in one is caught by the other.

// unsignedParams are left out of an Upload API signature: "file",
// "cloud_name", "resource_type", "api_key" (Cloudinary's documentation and
// every SDK) and the signature itself.
var unsignedParams = map[string]bool{
	"file": true, "cloud_name": true, "resource_type": true, "api_key": true, "signature": true,
}

var arrayKey = regexp.MustCompile(`^(.*)\[\d*\]$`)

// StringToSign renders params as Cloudinary signs them: array parameters
// ("tags[]", "tags[0]") folded into one comma-joined value (in the order of
// their names, then of their values), parameters
// with empty values dropped, sorted by name, "name=value" without URL
// escaping, joined with "&". In signature version 2 (the default of every
// current SDK) each "&" inside a value becomes "%26"; version 1 keeps it.
// It renders every parameter it is given: callers drop the unsigned ones.
func StringToSign(params url.Values, version int) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys) // "tags[0]" before "tags[1]", as cloudinary-go folds them
	folded := map[string][]string{}
	for _, k := range keys {
		vs := params[k]
		name := k
		if m := arrayKey.FindStringSubmatch(k); m != nil {
			name = m[1]
		}
		folded[name] = append(folded[name], vs...)
	}
	names := make([]string, 0, len(folded))
	for k := range folded {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts []string
	for _, k := range names {
		v := strings.Join(folded[k], ",")
		if v == "" {
			continue
		}
		if version >= 2 {
			v = strings.ReplaceAll(v, "&", "%26")
		}
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, "&")
}

// UploadStringToSign is StringToSign (version 2) of the parameters of an
// Upload API request, without the unsigned ones.
func UploadStringToSign(params url.Values) string {
	signed := url.Values{}
	for k, v := range params {
		name := k
		if m := arrayKey.FindStringSubmatch(k); m != nil {
			name = m[1]
		}
		if !unsignedParams[name] {
			signed[k] = v
		}
	}
	return StringToSign(signed, 2)
}

func newHash(algorithm string) hash.Hash {
	if algorithm == "sha256" {
		return sha256.New()
	}
	return sha1.New()
}

// Sign is hex(SHA(toSign + secret)), SHA-1 unless algorithm is "sha256".
func Sign(toSign, secret, algorithm string) string {
	h := newHash(algorithm)
	h.Write([]byte(toSign + secret))
	return hex.EncodeToString(h.Sum(nil))
}

// ResponseSignature is the "signature" of an upload response:
// Sign("public_id=<id>&version=<version>", secret, algorithm).
func ResponseSignature(publicID string, version int64, secret, algorithm string) string {
	return Sign("public_id="+publicID+"&version="+strconv.FormatInt(version, 10), secret, algorithm)
}

// NotificationSignature is the X-Cld-Signature of a notification:
// Sign(body + timestamp, secret, algorithm).
func NotificationSignature(body []byte, timestamp int64, secret, algorithm string) string {
	return Sign(string(body)+strconv.FormatInt(timestamp, 10), secret, algorithm)
}

// DeliverySignature is the "s--XXXXXXXX--" component of a signed delivery
// URL for toSign ("<transformation>/<public_id.ext>", no version): the
// URL-safe unpadded base64 of SHA-1(toSign + secret) cut to 8 characters,
// or with long of SHA-256 cut to 32.
func DeliverySignature(toSign, secret string, long bool) string {
	var sum []byte
	n := 8
	if long {
		s := sha256.Sum256([]byte(toSign + secret))
		sum, n = s[:], 32
	} else {
		s := sha1.Sum([]byte(toSign + secret))
		sum = s[:]
	}
	return "s--" + base64.RawURLEncoding.EncodeToString(sum)[:n] + "--"
}
