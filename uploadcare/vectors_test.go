package uploadcare

import (
	"encoding/hex"
	"testing"
)

// The published vectors of providers.md sections 7 to 9.

func TestSignUploadVector(t *testing.T) {
	t.Parallel()
	// uc-go ucare/auth_test.go "sign_based_upload_param"; Uploadcare docs.
	got := SignUpload("project_secret_key", 1454903856)
	if want := "d39a461d41f607338abffee5f31da4d4e46535651c87346e76906bf75c064d47"; got != want {
		t.Fatalf("SignUpload = %s, want %s", got, want)
	}
}

func TestSignRESTVector(t *testing.T) {
	t.Parallel()
	// Uploadcare REST authentication docs; uc-go TestAuth/sign_based_rest_param.
	got := SignREST("demoprivatekey", "GET", nil, "application/json", "Mon, 05 Nov 2018 13:14:41 GMT", "/files/?limit=1&stored=true")
	if want := "3cbc4d2cf91f80c1ba162b926f8a975e8bec7995"; got != want {
		t.Fatalf("SignREST = %s, want %s", got, want)
	}
	// An empty body hashes to the MD5 of nothing, as documented.
	if SignREST("demoprivatekey", "GET", []byte{}, "application/json", "Mon, 05 Nov 2018 13:14:41 GMT", "/files/?limit=1&stored=true") != got {
		t.Fatal("nil and empty bodies sign differently")
	}
}

func TestCDNSubdomainVector(t *testing.T) {
	t.Parallel()
	// uc-go ucare/config_test.go.
	for pk, want := range map[string]string{"demopublickey": "1s4oyld5dc", "anotherkey": "4073mye3t0"} {
		if got := CDNSubdomain(pk); got != want {
			t.Errorf("CDNSubdomain(%q) = %q, want %q", pk, got, want)
		}
	}
}

func TestSecureTokenVector(t *testing.T) {
	t.Parallel()
	// pyuploadcare tests/functional/test_secure_url.py::test_get_acl_token.
	secret, err := hex.DecodeString(testSecureSecret)
	if err != nil {
		t.Fatal(err)
	}
	const uuid = "52da3bfc-7cd8-4861-8b05-126fef7a6994"
	for acl, mac := range map[string]string{
		"/" + uuid + "/":  "81852547d9dbd9eefd24bee2cada6eab02244b9013533bc8511511923098df72",
		"/" + uuid + "/*": "b2c7526a29d0588b121aa78bc2b2c9399bfb6e1cad3d95397efed722fdbc5a78",
	} {
		want := "exp=1633997100~acl=" + acl + "~hmac=" + mac
		if got := SecureToken(secret, 1633997100, acl); got != want {
			t.Errorf("SecureToken(%q) = %s, want %s", acl, got, want)
		}
	}
}
