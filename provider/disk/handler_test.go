package disk_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/disk"
)

func TestHandlerGet(t *testing.T) {
	t.Parallel()
	p, b := setup(t, false)
	data := []byte("0123456789abcdefghij")
	put(t, p, "u/f.txt", data)
	ctx := t.Context()
	u, err := p.URL(ctx, "u/f.txt", &mediastore.URLOptions{Expiry: time.Hour})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("Headers", func(t *testing.T) {
		code, h, body := do(t, b.srv, http.MethodGet, u, nil, nil)
		if code != 200 || !bytes.Equal(body, data) {
			t.Fatalf("GET: %d %q", code, body)
		}
		sum := sha256.Sum256(data)
		for k, want := range map[string]string{
			"Content-Type":           "text/plain; charset=utf-8",
			"Etag":                   `"` + hex.EncodeToString(sum[:]) + `"`,
			"X-Content-Type-Options": "nosniff",
			"Content-Length":         "20",
		} {
			if h.Get(k) != want {
				t.Errorf("%s = %q, want %q", k, h.Get(k), want)
			}
		}
	})
	t.Run("Head", func(t *testing.T) {
		code, h, body := do(t, b.srv, http.MethodHead, u, nil, nil)
		if code != 200 || len(body) != 0 || h.Get("Content-Length") != "20" {
			t.Fatalf("HEAD: %d %q %v", code, body, h)
		}
	})
	t.Run("Range", func(t *testing.T) {
		code, h, body := do(t, b.srv, http.MethodGet, u, nil, http.Header{"Range": {"bytes=5-9"}})
		if code != http.StatusPartialContent || string(body) != "56789" || h.Get("Content-Range") != "bytes 5-9/20" {
			t.Fatalf("ranged GET: %d %q %v", code, body, h)
		}
	})
	t.Run("DownloadName", func(t *testing.T) {
		du, err := p.URL(ctx, "u/f.txt", &mediastore.URLOptions{Expiry: time.Hour, DownloadName: "résumé.txt"})
		if err != nil {
			t.Fatal(err)
		}
		code, h, _ := do(t, b.srv, http.MethodGet, du, nil, nil)
		if cd := h.Get("Content-Disposition"); code != 200 || !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "r%C3%A9sum%C3%A9.txt") {
			t.Fatalf("GET with a download name: %d, Content-Disposition %q", code, cd)
		}
		// The name is signed: changing it breaks the URL.
		if code, _, _ := do(t, b.srv, http.MethodGet, strings.Replace(du, "dl=", "dl=evil", 1), nil, nil); code != http.StatusForbidden {
			t.Fatalf("GET with an altered download name: %d, want 403", code)
		}
	})
	t.Run("Missing", func(t *testing.T) {
		mu, err := p.URL(ctx, "u/missing.txt", &mediastore.URLOptions{Expiry: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if code, _, _ := do(t, b.srv, http.MethodGet, mu, nil, nil); code != http.StatusNotFound {
			t.Fatalf("GET of a missing key: %d, want 404", code)
		}
	})
	t.Run("MethodNotAllowed", func(t *testing.T) {
		code, h, _ := do(t, b.srv, http.MethodDelete, u, nil, nil)
		if code != http.StatusMethodNotAllowed || h.Get("Allow") == "" {
			t.Fatalf("DELETE: %d, Allow %q", code, h.Get("Allow"))
		}
		requireExists(t, p, "u/f.txt")
	})
}

func requireExists(t *testing.T, p *disk.Provider, key string) {
	t.Helper()
	if _, err := p.Stat(context.Background(), key); err != nil {
		t.Fatalf("Stat(%q): %v", key, err)
	}
}

// withQuery returns u with query parameter k set to v ("" deletes it).
func withQuery(t *testing.T, u, k, v string) string {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := pu.Query()
	if v == "" {
		q.Del(k)
	} else {
		q.Set(k, v)
	}
	pu.RawQuery = q.Encode()
	return pu.String()
}

func TestHandlerRefusesBadGetSignatures(t *testing.T) {
	t.Parallel()
	p, b := setup(t, false)
	ctx := t.Context()
	put(t, p, "u/f.txt", []byte("private"))
	put(t, p, "u/g.txt", []byte("other"))
	u, err := p.URL(ctx, "u/f.txt", &mediastore.URLOptions{Expiry: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(u)
	sig := pu.Query().Get("sig")
	flipped := []byte(sig)
	flipped[0] ^= 1
	other, err := disk.New(disk.Config{Dir: b.dir, BaseURL: "http://127.0.0.1/media", Secret: []byte("another-secret-0123456789")})
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := other.URL(ctx, "u/f.txt", &mediastore.URLOptions{Expiry: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	fu, _ := url.Parse(foreign)
	tk, err := p.PrepareDirect(ctx, "u/f.txt", &mediastore.DirectOptions{Size: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, url, wantBody string
	}{
		{"NoSignature", withQuery(t, withQuery(t, u, "sig", ""), "expires", ""), "bad signature"},
		{"NoSig", withQuery(t, u, "sig", ""), "bad signature"},
		{"FlippedSig", withQuery(t, u, "sig", string(flipped)), "bad signature"},
		{"GarbageSig", withQuery(t, u, "sig", "!!!"), "bad signature"},
		{"OtherSecret", withQuery(t, u, "sig", fu.Query().Get("sig")), "bad signature"},
		{"LaterExpiry", withQuery(t, u, "expires", fmt.Sprint(b.clock.Now().Add(time.Hour).Unix())), "bad signature"},
		{"OtherKey", strings.Replace(u, "/u/f.txt", "/u/g.txt", 1), "bad signature"},
		{"PutTicketForGet", tk.URL, "bad signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := do(t, b.srv, http.MethodGet, tc.url, nil, nil)
			if code != http.StatusForbidden || !strings.Contains(string(body), tc.wantBody) {
				t.Fatalf("GET: %d %q, want 403 %q", code, body, tc.wantBody)
			}
			if bytes.Contains(body, []byte(sig)) {
				t.Fatal("the response repeats the signature")
			}
		})
	}
	t.Run("Expired", func(t *testing.T) {
		if code, _, _ := do(t, b.srv, http.MethodGet, u, nil, nil); code != 200 {
			t.Fatalf("GET before expiry: %d", code)
		}
		b.clock.Add(time.Minute + time.Second)
		code, _, body := do(t, b.srv, http.MethodGet, u, nil, nil)
		if code != http.StatusForbidden || !strings.Contains(string(body), "signature expired") {
			t.Fatalf("GET after expiry: %d %q, want 403 signature expired", code, body)
		}
	})
}

func TestHandlerPublic(t *testing.T) {
	t.Parallel()
	p, b := setup(t, true)
	ctx := t.Context()
	put(t, p, "u/f.txt", []byte("public"))
	u, err := p.URL(ctx, "u/f.txt", &mediastore.URLOptions{Expiry: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(u, "sig=") {
		t.Fatalf("public URL is signed: %s", u)
	}
	if code, _, body := do(t, b.srv, http.MethodGet, u, nil, nil); code != 200 || string(body) != "public" {
		t.Fatalf("GET public: %d %q", code, body)
	}
	if st, _ := p.Stat(ctx, "u/f.txt"); st.URL != u {
		t.Fatalf("Object.URL = %q, want %q", st.URL, u)
	}
	signed, err := p.URL(ctx, "u/f.txt", &mediastore.URLOptions{Expiry: time.Minute, Signed: true})
	if err != nil || !strings.Contains(signed, "sig=") {
		t.Fatalf("signed URL of a public provider = %q, %v", signed, err)
	}
	// Uploads always need a ticket.
	if code, _, _ := do(t, b.srv, http.MethodPut, u, []byte("overwrite"), nil); code != http.StatusForbidden {
		t.Fatalf("unsigned PUT to a public provider: %d, want 403", code)
	}
	if code, _, body := do(t, b.srv, http.MethodGet, u, nil, nil); string(body) != "public" {
		t.Fatalf("object changed by an unsigned PUT: %d %q", code, body)
	}
}

func TestHandlerPut(t *testing.T) {
	t.Parallel()
	p, b := setup(t, false)
	ctx := t.Context()
	data := []byte("direct upload body")
	sum := sha256.Sum256(data)
	sumHex := hex.EncodeToString(sum[:])
	ticket := func(t *testing.T, key string, opts mediastore.DirectOptions) *mediastore.Ticket {
		t.Helper()
		tk, err := p.PrepareDirect(ctx, key, &opts)
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	full := mediastore.DirectOptions{ContentType: "text/plain", Size: int64(len(data)), MaxSize: 1000, SHA256: sumHex, Expiry: time.Minute}

	t.Run("Accepted", func(t *testing.T) {
		tk := ticket(t, "u/ok.txt", full)
		if tk.Method != http.MethodPut || tk.Headers.Get("Content-Type") != "text/plain" || tk.Key != "u/ok.txt" {
			t.Fatalf("ticket = %+v", tk)
		}
		if code, _, body := do(t, b.srv, tk.Method, tk.URL, data, tk.Headers); code != 200 {
			t.Fatalf("PUT: %d %q", code, body)
		}
		st, err := p.Stat(ctx, "u/ok.txt")
		if err != nil || st.Size != int64(len(data)) || st.ContentType != "text/plain" || st.SHA256 != sumHex {
			t.Fatalf("Stat after PUT = %+v, %v", st, err)
		}
		requireNoTemps(t, b.dir)
	})

	ct := http.Header{"Content-Type": {"text/plain"}}
	query := func(k, v string) func(*testing.T, string) string {
		return func(t *testing.T, u string) string { return withQuery(t, u, k, v) }
	}
	otherKey := func(t *testing.T, u string) string {
		return strings.Replace(u, "/u/refused-OtherKey.txt", "/u/other.txt", 1)
	}
	for _, tc := range []struct {
		name string
		opts mediastore.DirectOptions
		// edit changes the ticket's URL before use.
		edit   func(t *testing.T, u string) string
		method string
		body   []byte
		hdr    http.Header
		code   int
	}{
		{name: "BadSignature", opts: full, edit: query("sig", "AAAA"), body: data, hdr: ct, code: 403},
		{name: "NoSignature", opts: full, edit: query("sig", ""), body: data, hdr: ct, code: 403},
		{name: "OtherKey", opts: full, edit: otherKey, body: data, hdr: ct, code: 403},
		{name: "LiftedLimit", opts: full, edit: query("max", ""), body: data, hdr: ct, code: 403},
		{name: "DroppedChecksum", opts: full, edit: query("sha256", ""), body: data, hdr: ct, code: 403},
		{name: "OtherTypeInURL", opts: full, edit: query("ct", "text/html"), body: data, hdr: http.Header{"Content-Type": {"text/html"}}, code: 403},
		{name: "WrongContentType", opts: full, body: data, hdr: http.Header{"Content-Type": {"text/html"}}, code: 403},
		{name: "NoContentType", opts: full, body: data, code: 403},
		{name: "Longer", opts: full, body: append(bytes.Clone(data), '!'), hdr: ct, code: 403},
		{name: "Shorter", opts: full, body: data[1:], hdr: ct, code: 403},
		{name: "WrongChecksum", opts: full, body: bytes.ToUpper(data), hdr: ct, code: 400},
		{name: "OverLimit", opts: mediastore.DirectOptions{ContentType: "text/plain", Size: -1, MaxSize: 5, Expiry: time.Minute}, body: data, hdr: ct, code: 413},
		{name: "GetURLForPut", opts: full, method: "GETURL", body: data, hdr: ct, code: 403},
	} {
		t.Run("Refuses"+tc.name, func(t *testing.T) {
			key := "u/refused-" + tc.name + ".txt"
			tk := ticket(t, key, tc.opts)
			u := tk.URL
			if tc.method == "GETURL" {
				var err error
				if u, err = p.URL(ctx, key, &mediastore.URLOptions{Expiry: time.Minute}); err != nil {
					t.Fatal(err)
				}
			}
			if tc.edit != nil {
				u = tc.edit(t, u)
			}
			code, _, body := do(t, b.srv, http.MethodPut, u, tc.body, tc.hdr)
			if code != tc.code {
				t.Fatalf("PUT: %d %q, want %d", code, body, tc.code)
			}
			requireNotFound(t, p, key)
			requireNotFound(t, p, "u/other.txt")
			requireNoTemps(t, b.dir)
		})
	}

	t.Run("OverLimitChunked", func(t *testing.T) {
		// No Content-Length: the limit is enforced while streaming.
		tk := ticket(t, "u/chunked.txt", mediastore.DirectOptions{ContentType: "text/plain", Size: -1, MaxSize: 1 << 20, Expiry: time.Minute})
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, tk.URL, struct{ io.Reader }{bytes.NewReader(make([]byte, 2<<20))})
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "text/plain")
		resp, err := b.srv.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("chunked PUT over the limit: %d, want 413", resp.StatusCode)
		}
		requireNotFound(t, p, "u/chunked.txt")
		requireNoTemps(t, b.dir)
	})

	t.Run("RefusesExpired", func(t *testing.T) {
		tk := ticket(t, "u/late.txt", full)
		if !tk.ExpiresAt.After(b.clock.Now()) || tk.ExpiresAt.After(b.clock.Now().Add(time.Minute+time.Second)) {
			t.Fatalf("ExpiresAt = %v, now %v", tk.ExpiresAt, b.clock.Now())
		}
		b.clock.Add(time.Minute + time.Second)
		code, _, body := do(t, b.srv, tk.Method, tk.URL, data, tk.Headers)
		if code != http.StatusForbidden || !strings.Contains(string(body), "signature expired") {
			t.Fatalf("PUT with an expired ticket: %d %q", code, body)
		}
		requireNotFound(t, p, "u/late.txt")
	})
}

func TestPrepareDirectValidates(t *testing.T) {
	t.Parallel()
	p, _ := setup(t, false)
	for _, opts := range []mediastore.DirectOptions{
		{Size: -1, SHA256: "not-hex"},
		{Size: -1, SHA256: strings.Repeat("A", 64)},
		{Size: 100, MaxSize: 10},
	} {
		if tk, err := p.PrepareDirect(t.Context(), "u/x.txt", &opts); !errors.Is(err, mediastore.ErrInvalid) {
			t.Errorf("PrepareDirect(%+v) = %+v, %v; want ErrInvalid", opts, tk, err)
		}
	}
}

func TestErrorsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	p, b := setup(t, false)
	tk, err := p.PrepareDirect(t.Context(), "u/x.txt", &mediastore.DirectOptions{Size: -1, ContentType: "text/plain"})
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(tk.URL)
	sig := pu.Query().Get("sig")
	_, _, body := do(t, b.srv, http.MethodPut, tk.URL, []byte("x"), http.Header{"Content-Type": {"text/html"}})
	if bytes.Contains(body, []byte(sig)) || bytes.Contains(body, secret) {
		t.Fatalf("error body leaks the signature or secret: %q", body)
	}
	_, err = p.Put(t.Context(), "u/y.txt", &failAfter{n: 10}, &mediastore.PutOptions{Size: -1})
	if err == nil || strings.Contains(err.Error(), string(secret)) || !strings.HasPrefix(err.Error(), "mediastore: ") {
		t.Fatalf("Put error = %v", err)
	}
}
