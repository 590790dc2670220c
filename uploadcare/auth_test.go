package uploadcare

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/fakes/uploadcarefake"
)

// Wrong keys, signatures and clocks are refused by the fake as Uploadcare
// refuses them, and the errors never show a secret.
func TestWrongCredentialsRefused(t *testing.T) {
	t.Parallel()
	const wrongSecret = "wrong-secret-key-1234"
	for _, tc := range []struct {
		name   string
		fo     uploadcarefake.Options
		mod    func(*Config)
		status int
		msg    string
		rest   bool // the failure is the REST API's
	}{
		{"WrongPublicKey", uploadcarefake.Options{}, func(c *Config) { c.PublicKey = "otherpublickey" }, 403, "UPLOADCARE_PUB_KEY is invalid.", false},
		{"SignatureWithWrongSecret", uploadcarefake.Options{}, func(c *Config) { c.SignedUploads, c.SecretKey = true, wrongSecret }, 403, "Invalid signature.", false},
		{"SignedUploadsRequired", uploadcarefake.Options{SignedUploads: true}, func(c *Config) { c.SignedUploads = false }, 400, "`signature` is required.", false},
		{"ExpiredSignature", uploadcarefake.Options{SignedUploads: true, Now: func() time.Time { return time.Now().Add(2 * time.Hour) }}, nil, 403, "Expired signature.", false},
		{"RESTSignedWrongSecret", uploadcarefake.Options{}, func(c *Config) { c.SecretKey = wrongSecret }, 401, "Invalid signature. Please check your Secret key.", true},
		{"RESTSimpleWrongSecret", uploadcarefake.Options{}, func(c *Config) { c.SecretKey, c.AuthScheme = wrongSecret, AuthSimple }, 401, "Incorrect authentication credentials.", true},
		{"RESTDateSkew", uploadcarefake.Options{Now: func() time.Time { return time.Now().Add(20 * time.Minute) }}, nil, 401, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, b := setup(t, tc.fo, tc.mod)
			var err error
			if tc.rest {
				// Upload with a good provider, then use the bad one on the REST API.
				good, err := New(Config{PublicKey: b.fake.PublicKey(), SecretKey: b.fake.SecretKey(),
					UploadBaseURL: b.fake.UploadURL, APIBaseURL: b.fake.APIURL, CDNBaseURL: b.fake.CDNURL})
				if err != nil {
					t.Fatal(err)
				}
				obj := mustPut(t, good, "u/01a-x.txt", []byte("x"), textPut(1))
				_, err = p.Stat(t.Context(), obj.Key)
				checkRefusal(t, err, tc.status, tc.msg, wrongSecret)
				err = p.Commit(t.Context(), obj.Key)
				checkRefusal(t, err, tc.status, tc.msg, wrongSecret)
				err = p.Delete(t.Context(), obj.Key)
				checkRefusal(t, err, tc.status, tc.msg, wrongSecret)
				if f, _ := b.fake.File(obj.Key); f.Stored || f.Removed {
					t.Fatalf("a refused request changed the file: %+v", f)
				}
				return
			}
			_, err = p.Put(t.Context(), "u/01a-x.txt", strings.NewReader("x"), textPut(1))
			checkRefusal(t, err, tc.status, tc.msg, wrongSecret)
			_, err = p.Put(t.Context(), "u/01a-big.bin", strings.NewReader(strings.Repeat("x", 10<<20)), &mediastore.PutOptions{Size: 10 << 20})
			checkRefusal(t, err, tc.status, tc.msg, wrongSecret)
			if n := len(b.fake.Files()); n != 0 {
				t.Fatalf("refused uploads left %d files", n)
			}
		})
	}
}

func checkRefusal(t *testing.T, err error, status int, msg, secret string) {
	t.Helper()
	requireKind(t, err, mediastore.ErrProvider)
	requireHTTP(t, err, status, msg)
	if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "demosecretkey") {
		t.Fatalf("error shows a secret: %v", err)
	}
}

// The fake verifies the documented REST signature vector and the Accept
// header.
func TestFakeRESTVectorAndAccept(t *testing.T) {
	t.Parallel()
	date, _ := time.Parse(http.TimeFormat, "Mon, 05 Nov 2018 13:14:41 GMT")
	fake := uploadcarefake.Start(t, uploadcarefake.Options{PublicKey: "testpk", SecretKey: "demoprivatekey", Now: func() time.Time { return date }})
	do := func(accept, auth, dateHeader string) int {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", fake.APIURL+"/files/?limit=1&stored=true", nil)
		req.Header.Set("Accept", accept)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Date", dateHeader)
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	const good = "Uploadcare testpk:3cbc4d2cf91f80c1ba162b926f8a975e8bec7995"
	const d = "Mon, 05 Nov 2018 13:14:41 GMT"
	// Authenticated: the fake has no file listing, so the route is missing.
	if code := do(acceptHeader, good, d); code != 404 {
		t.Errorf("the published vector: status %d, want past authentication (404)", code)
	}
	if code := do("application/json", good, d); code != 406 {
		t.Errorf("wrong Accept: status %d, want 406", code)
	}
	if code := do(acceptHeader, "Uploadcare testpk:3cbc4d2cf91f80c1ba162b926f8a975e8bec7996", d); code != 401 {
		t.Errorf("altered signature: status %d, want 401", code)
	}
	if code := do(acceptHeader, good, "Mon, 05 Nov 2018 13:14:42 GMT"); code != 401 {
		t.Errorf("other Date than signed: status %d, want 401", code)
	}
	if code := do(acceptHeader, "Uploadcare.Simple testpk:demoprivatekey", ""); code != 404 {
		t.Errorf("simple auth: status %d, want past authentication (404)", code)
	}
	if code := do(acceptHeader, "Uploadcare.Simple otherpk:demoprivatekey", ""); code != 401 {
		t.Errorf("simple auth with another public key: status %d, want 401", code)
	}
	if code := do(acceptHeader, "", ""); code != 401 {
		t.Errorf("no Authorization: status %d, want 401", code)
	}
}
