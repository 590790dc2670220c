package cloudinary

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"net/url"
	"strings"

	"github.com/cloudinary/cloudinary-go/v2/api"
)

// signParams signs params as Cloudinary's api_sign_request does, with
// cloudinary-go's implementation: every parameter with a non-empty value
// (multiple values joined with ","), sorted by name, rendered name=value
// without URL escaping, joined with "&" (in signature version 2 an "&"
// inside a value becomes "%26"), the secret appended, then hex SHA-1 or
// SHA-256. It signs exactly what it is given: callers drop the parameters
// that are not signed. params must hold a timestamp.
func signParams(params url.Values, secret, algorithm string, version int) (string, error) {
	cp := make(url.Values, len(params))
	for k, v := range params {
		if joined := strings.Join(v, ","); joined != "" {
			cp.Set(k, joined)
		}
	}
	if ts := cp.Get("timestamp"); ts == "" || ts == "0" {
		// cloudinary-go would add time.Now() here; the caller decides.
		return "", errors.New("timestamp required")
	}
	return api.SignParametersUsingAlgoAndVersion(cp, secret, algorithm, version)
}

// unsignedParams are the upload parameters Cloudinary leaves out of the
// signature (cloudinary-go ignoredSignatureKey), plus the signature itself.
var unsignedParams = []string{"file", "cloud_name", "resource_type", "api_key", "signature"}

// signRequest adds timestamp (when missing), api_key and signature to the
// parameters of an Upload API call (upload, destroy).
func (p *Provider) signRequest(params url.Values) error {
	toSign := make(url.Values, len(params))
	for k, v := range params {
		toSign[k] = v
	}
	for _, k := range unsignedParams {
		toSign.Del(k)
	}
	if toSign.Get("timestamp") == "" {
		toSign.Set("timestamp", p.timestamp())
	}
	sig, err := signParams(toSign, p.cfg.APISecret, p.cfg.SignatureAlgorithm, 2)
	if err != nil {
		return err
	}
	params.Set("timestamp", toSign.Get("timestamp"))
	params.Set("api_key", p.cfg.APIKey)
	params.Set("signature", sig)
	return nil
}

func newHash(algorithm string) hash.Hash {
	if algorithm == "sha256" {
		return sha256.New()
	}
	return sha1.New()
}

// digestHex is hex(SHA(content + secret)).
func digestHex(content, secret, algorithm string) string {
	h := newHash(algorithm)
	h.Write([]byte(content))
	h.Write([]byte(secret))
	return hex.EncodeToString(h.Sum(nil))
}

// responseSignature is the signature Cloudinary puts in upload responses:
// hex(SHA("public_id=<id>&version=<version>" + secret)), signature version
// 1 (no "&" escaping), no timestamp. cloudinary-go's
// VerifyApiResponseSignature computes the same since v2.16.1.
func responseSignature(publicID, version, secret, algorithm string) string {
	return digestHex("public_id="+publicID+"&version="+version, secret, algorithm)
}

// equalHex compares two hex signatures in constant time, ignoring case.
func equalHex(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(got)), []byte(want)) == 1
}

// deliverySignature is the "s--XXXXXXXX--" component of a signed delivery
// URL: the first 8 characters of the unpadded URL-safe base64 SHA-1 of
// "<transformation>/<public_id with extension>" + secret. The version is
// not signed (as in every current Cloudinary SDK).
func deliverySignature(transformation, publicID, secret string) string {
	toSign := publicID
	if transformation != "" {
		toSign = transformation + "/" + publicID
	}
	h := sha1.New()
	h.Write([]byte(toSign))
	h.Write([]byte(secret))
	return "s--" + base64.RawURLEncoding.EncodeToString(h.Sum(nil))[:8] + "--"
}
