package urlsign_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/urlsign"
)

var secret = []byte("test-secret-0123456789abcdef")

func claims() *urlsign.Claims {
	return &urlsign.Claims{
		Method:       "PUT",
		Key:          "alice/01j-photo.jpg",
		Expires:      time.Unix(2_000_000_000, 0),
		ContentType:  "image/jpeg",
		Size:         1234,
		MaxSize:      5000,
		SHA256:       strings.Repeat("ab", 32),
		DownloadName: "",
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	s := urlsign.NewSigner(secret)
	c := claims()
	sig := s.Sign(c)
	before := c.Expires.Add(-time.Second)
	if err := s.Verify(c, sig, before); err != nil {
		t.Fatalf("Verify of a fresh signature: %v", err)
	}
	if err := s.Verify(c, sig, c.Expires); !errors.Is(err, urlsign.ErrExpired) {
		t.Fatalf("Verify at the expiry = %v, want ErrExpired", err)
	}
	if err := s.Verify(c, sig, c.Expires.Add(time.Hour)); !errors.Is(err, urlsign.ErrExpired) {
		t.Fatalf("Verify after the expiry = %v, want ErrExpired", err)
	}
	// A bad signature is reported as such even when also expired.
	if err := s.Verify(c, sig+"x", c.Expires.Add(time.Hour)); !errors.Is(err, urlsign.ErrBadSignature) {
		t.Fatalf("Verify of a bad expired signature = %v, want ErrBadSignature", err)
	}
	if errors.Is(urlsign.ErrExpired, urlsign.ErrBadSignature) || errors.Is(urlsign.ErrBadSignature, urlsign.ErrExpired) {
		t.Fatal("the two errors are not distinct")
	}

	for name, edit := range map[string]func(*urlsign.Claims){
		"Method":       func(c *urlsign.Claims) { c.Method = "GET" },
		"Key":          func(c *urlsign.Claims) { c.Key += "x" },
		"Expires":      func(c *urlsign.Claims) { c.Expires = c.Expires.Add(time.Second) },
		"ContentType":  func(c *urlsign.Claims) { c.ContentType = "text/html" },
		"Size":         func(c *urlsign.Claims) { c.Size = -1 },
		"MaxSize":      func(c *urlsign.Claims) { c.MaxSize = 0 },
		"SHA256":       func(c *urlsign.Claims) { c.SHA256 = "" },
		"DownloadName": func(c *urlsign.Claims) { c.DownloadName = "x" },
	} {
		t.Run("Changed"+name, func(t *testing.T) {
			c := claims()
			edit(c)
			if err := s.Verify(c, sig, before); !errors.Is(err, urlsign.ErrBadSignature) {
				t.Fatalf("Verify with %s changed = %v, want ErrBadSignature", name, err)
			}
		})
	}
	for name, bad := range map[string]string{
		"Empty":     "",
		"NotBase64": "!!!!",
		"Truncated": sig[:len(sig)-2],
		"Padded":    sig + "==",
		"OtherKey":  urlsign.NewSigner([]byte("another-secret-0123456789")).Sign(c),
	} {
		t.Run("Signature"+name, func(t *testing.T) {
			if err := s.Verify(c, bad, before); !errors.Is(err, urlsign.ErrBadSignature) {
				t.Fatalf("Verify = %v, want ErrBadSignature", err)
			}
		})
	}
}

func TestPayloadIsUnambiguous(t *testing.T) {
	t.Parallel()
	s := urlsign.NewSigner(secret)
	a := &urlsign.Claims{Method: "GET", Key: "a", ContentType: "b\nc", Size: -1}
	b := &urlsign.Claims{Method: "GET", Key: "a\nb", ContentType: "c", Size: -1}
	c := &urlsign.Claims{Method: "GET", Key: `a"`, ContentType: `"b`, Size: -1}
	d := &urlsign.Claims{Method: "GET", Key: `a`, ContentType: `""b`, Size: -1}
	if s.Sign(a) == s.Sign(b) || s.Sign(c) == s.Sign(d) {
		t.Fatal("different claims share a signature")
	}
}

func TestSecrets(t *testing.T) {
	t.Parallel()
	c := claims()
	if urlsign.NewSigner(nil).Sign(c) != urlsign.NewSigner([]byte{}).Sign(c) {
		t.Fatal("signers without a secret do not share the process secret")
	}
	if urlsign.NewSigner(nil).Sign(c) == urlsign.NewSigner(secret).Sign(c) {
		t.Fatal("the process secret equals the test secret")
	}
	mutable := []byte(string(secret))
	s := urlsign.NewSigner(mutable)
	sig := s.Sign(c)
	mutable[0] ^= 1
	if s.Sign(c) != sig {
		t.Fatal("NewSigner does not copy its secret")
	}
}

func TestURLRoundTrip(t *testing.T) {
	t.Parallel()
	s := urlsign.NewSigner(secret)
	now := time.Unix(1_900_000_000, 0)
	for name, c := range map[string]*urlsign.Claims{
		"Put": claims(),
		"Get": {Method: "GET", Key: "bob/ünï côdé/x?#.txt", Expires: now.Add(time.Hour), Size: -1, DownloadName: "naïve name.txt"},
	} {
		t.Run(name, func(t *testing.T) {
			u, err := url.Parse(s.URL("http://127.0.0.1:1/media", c))
			if err != nil {
				t.Fatal(err)
			}
			key := strings.TrimPrefix(u.Path, "/media/")
			if key != c.Key {
				t.Fatalf("path decodes to %q, want %q", key, c.Key)
			}
			got, err := s.VerifyQuery(c.Method, key, u.Query(), now)
			if err != nil {
				t.Fatalf("VerifyQuery: %v", err)
			}
			if *got != *c {
				t.Fatalf("VerifyQuery = %+v, want %+v", got, c)
			}
			if _, err := s.VerifyQuery(c.Method, key, u.Query(), c.Expires); !errors.Is(err, urlsign.ErrExpired) {
				t.Fatalf("VerifyQuery at expiry = %v, want ErrExpired", err)
			}
			other := map[string]string{"GET": "PUT", "PUT": "GET"}[c.Method]
			if _, err := s.VerifyQuery(other, key, u.Query(), now); !errors.Is(err, urlsign.ErrBadSignature) {
				t.Fatalf("VerifyQuery with method %s = %v, want ErrBadSignature", other, err)
			}
		})
	}
}

func TestVerifyQueryMalformed(t *testing.T) {
	t.Parallel()
	s := urlsign.NewSigner(secret)
	now := time.Unix(1_900_000_000, 0)
	c := claims()
	u, _ := url.Parse(s.URL("http://127.0.0.1/m", c))
	for name, edit := range map[string]func(url.Values){
		"NoExpires":   func(q url.Values) { q.Del("expires") },
		"BadExpires":  func(q url.Values) { q.Set("expires", "soon") },
		"NegativeLen": func(q url.Values) { q.Set("len", "-5") },
		"BadLen":      func(q url.Values) { q.Set("len", "many") },
		"ZeroMax":     func(q url.Values) { q.Set("max", "0") },
		"NoSig":       func(q url.Values) { q.Del("sig") },
		"NoLen":       func(q url.Values) { q.Del("len") },
	} {
		t.Run(name, func(t *testing.T) {
			q := u.Query()
			edit(q)
			if _, err := s.VerifyQuery("PUT", c.Key, q, now); !errors.Is(err, urlsign.ErrBadSignature) {
				t.Fatalf("VerifyQuery = %v, want ErrBadSignature", err)
			}
		})
	}
}

func TestCheckKey(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"a", "a/b", "alice/01j-photo.jpg", "café/日本.txt", "a/.hidden", "a/b..c", "..a", "a...", strings.Repeat("k", urlsign.MaxKeyLen)} {
		if err := urlsign.CheckKey(k); err != nil {
			t.Errorf("CheckKey(%q) = %v, want nil", k, err)
		}
	}
	for _, k := range []string{"", "/a", "a/", "a//b", ".", "..", "./a", "a/.", "a/../b", "../a", "a\x00b", "a\nb", "a\x7fb", `a\b`, "\xff", strings.Repeat("k", urlsign.MaxKeyLen+1)} {
		err := urlsign.CheckKey(k)
		if err == nil {
			t.Errorf("CheckKey(%q) = nil, want an error", k)
		} else if len(k) > 3 && strings.Contains(err.Error(), k) {
			t.Errorf("CheckKey error repeats the key: %v", err)
		}
	}
}

func TestEscapeKey(t *testing.T) {
	t.Parallel()
	if got, want := urlsign.EscapeKey("a b/ü?#%/x+y.txt"), "a%20b/%C3%BC%3F%23%25/x+y.txt"; got != want {
		t.Fatalf("EscapeKey = %q, want %q", got, want)
	}
}

func TestTicket(t *testing.T) {
	t.Parallel()
	s := urlsign.NewSigner(secret)
	now := time.Unix(1_900_000_000, 500_000_000)
	tk, err := s.Ticket("http://127.0.0.1/m", "a/b.txt", &mediastore.DirectOptions{ContentType: "text/plain", Size: 10, MaxSize: 20, Expiry: 90 * time.Second}, now)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Key != "a/b.txt" || tk.Method != "PUT" || tk.Headers.Get("Content-Type") != "text/plain" {
		t.Fatalf("Ticket = %+v", tk)
	}
	// Whole seconds, never shorter than asked.
	if tk.ExpiresAt.Before(now.Add(90*time.Second)) || tk.ExpiresAt.After(now.Add(91*time.Second)) || tk.ExpiresAt.Nanosecond() != 0 {
		t.Fatalf("ExpiresAt = %v, want 90s after %v rounded up to a second", tk.ExpiresAt, now)
	}
	u, _ := url.Parse(tk.URL)
	c, err := s.VerifyQuery("PUT", "a/b.txt", u.Query(), now)
	if err != nil || c.Size != 10 || c.MaxSize != 20 || c.ContentType != "text/plain" || !c.Expires.Equal(tk.ExpiresAt) {
		t.Fatalf("ticket claims = %+v, %v", c, err)
	}
	tk, err = s.Ticket("http://127.0.0.1/m", "a/b.txt", nil, now)
	if err != nil || len(tk.Headers) != 0 || !tk.ExpiresAt.After(now.Add(urlsign.DefaultExpiry-time.Second)) {
		t.Fatalf("Ticket with nil options = %+v, %v", tk, err)
	}
	for _, bad := range []*mediastore.DirectOptions{
		{Size: -1, SHA256: "abc"},
		{Size: 30, MaxSize: 20},
	} {
		if _, err := s.Ticket("http://127.0.0.1/m", "a", bad, now); err == nil {
			t.Errorf("Ticket(%+v) succeeded", bad)
		}
	}
}

func TestObjectURL(t *testing.T) {
	t.Parallel()
	s := urlsign.NewSigner(secret)
	now := time.Unix(1_900_000_000, 0)
	if got := s.ObjectURL("http://h/m", "a b", true, &mediastore.URLOptions{}, now); got != "http://h/m/a%20b" {
		t.Fatalf("public URL = %q", got)
	}
	if got := s.ObjectURL("http://h/m", "a", true, &mediastore.URLOptions{DownloadName: "x y"}, now); got != "http://h/m/a?dl=x+y" {
		t.Fatalf("public URL with a download name = %q", got)
	}
	for _, opts := range []*mediastore.URLOptions{{Signed: true}, {Expiry: time.Minute}, nil} {
		for _, public := range []bool{true, false} {
			if public && (opts == nil || !opts.Signed) {
				continue
			}
			u, _ := url.Parse(s.ObjectURL("http://h/m", "a", public, opts, now))
			if _, err := s.VerifyQuery("GET", "a", u.Query(), now); err != nil {
				t.Fatalf("ObjectURL(public=%t, %+v) does not verify: %v", public, opts, err)
			}
		}
	}
}
