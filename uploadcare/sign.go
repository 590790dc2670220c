package uploadcare

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"strconv"
)

// SignUpload returns the signature of a signed upload that expires at
// expire (unix seconds): hex(HMAC-SHA256(secretKey, decimal expire)).
// Send it with expire as the form fields "signature" and "expire".
func SignUpload(secretKey string, expire int64) string {
	m := hmac.New(sha256.New, []byte(secretKey))
	m.Write([]byte(strconv.FormatInt(expire, 10)))
	return hex.EncodeToString(m.Sum(nil))
}

// SignREST returns the signature of the signed "Uploadcare" REST scheme:
// hex(HMAC-SHA1(secretKey, verb \n hex(MD5(body)) \n contentType \n date \n uri)),
// where date is the Date header exactly as sent and uri is the path plus
// "?" and the raw query, if any. The Authorization header is then
// "Uploadcare <public key>:<signature>".
func SignREST(secretKey, verb string, body []byte, contentType, date, uri string) string {
	sum := md5.Sum(body)
	m := hmac.New(sha1.New, []byte(secretKey))
	m.Write([]byte(verb + "\n" + hex.EncodeToString(sum[:]) + "\n" + contentType + "\n" + date + "\n" + uri))
	return hex.EncodeToString(m.Sum(nil))
}

// CDNSubdomain returns the per-project CDN subdomain Uploadcare derives from
// a public key: the first 10 characters of the base-36 form of the SHA-256
// of the key, read as a big-endian number ("demopublickey" gives
// "1s4oyld5dc", served at https://1s4oyld5dc.ucarecd.net).
func CDNSubdomain(publicKey string) string {
	sum := sha256.Sum256([]byte(publicKey))
	s := new(big.Int).SetBytes(sum[:]).Text(36)
	if len(s) > 10 {
		s = s[:10]
	}
	return s
}

// SecureToken returns the Akamai-style secure delivery token for acl (a
// path such as "/<uuid>/" or "/<uuid>/*") valid until exp (unix seconds):
// "exp=<exp>~acl=<acl>~hmac=<hex(HMAC-SHA256(hex-decoded secret, "exp=<exp>~acl=<acl>"))>".
// Append it to a CDN URL as "?token=<token>". secret is the hex key from
// the project's secure delivery settings.
func SecureToken(secret []byte, exp int64, acl string) string {
	msg := "exp=" + strconv.FormatInt(exp, 10) + "~acl=" + acl
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(msg))
	return msg + "~hmac=" + hex.EncodeToString(m.Sum(nil))
}
