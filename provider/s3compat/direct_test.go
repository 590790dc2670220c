package s3compat_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/s3compat"
)

// send executes a ticket as a browser would: the ticket's headers, then
// change applied, then body.
func send(t *testing.T, client *http.Client, tk *mediastore.Ticket, body []byte, change func(*http.Request)) int {
	t.Helper()
	req, err := http.NewRequest(tk.Method, tk.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range tk.Headers {
		if k != "Content-Length" { // net/http sends the body's length
			req.Header[k] = v
		}
	}
	if change != nil {
		change(req)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", tk.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		t.Logf("%s refused: status %d, %s", tk.Method, resp.StatusCode, errorCode.Find(rb))
	}
	return resp.StatusCode
}

var errorCode = regexp.MustCompile(`<Code>[^<]*</Code>`)

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestPrepareDirect(t *testing.T) {
	t.Parallel()
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			body := []byte("\x89PNG\r\n\x1a\n not really a picture")
			for _, tc := range []struct {
				name   string
				opts   mediastore.DirectOptions
				change func(*http.Request)
				body   []byte
				ok     bool
			}{
				{name: "Exact", opts: mediastore.DirectOptions{ContentType: "image/png", Size: int64(len(body)), SHA256: hexSum(body)}, ok: true},
				{name: "NoSizeDeclared", opts: mediastore.DirectOptions{ContentType: "image/png", Size: -1}, body: append(body, "longer"...), ok: true},
				{name: "OtherContentType", opts: mediastore.DirectOptions{ContentType: "image/png", Size: int64(len(body))},
					change: func(r *http.Request) { r.Header.Set("Content-Type", "text/html") }},
				{name: "NoContentType", opts: mediastore.DirectOptions{ContentType: "image/png", Size: int64(len(body))},
					change: func(r *http.Request) { r.Header.Del("Content-Type") }},
				{name: "Longer", opts: mediastore.DirectOptions{ContentType: "image/png", Size: int64(len(body))}, body: append(body, '!')},
				{name: "Shorter", opts: mediastore.DirectOptions{ContentType: "image/png", Size: int64(len(body))}, body: body[1:]},
				{name: "OtherBytesSameLength", opts: mediastore.DirectOptions{ContentType: "image/png", Size: int64(len(body)), SHA256: hexSum(body)},
					body: append(body[:len(body)-1:len(body)-1], '?')},
				{name: "ChecksumHeaderDropped", opts: mediastore.DirectOptions{ContentType: "image/png", Size: int64(len(body)), SHA256: hexSum(body)},
					change: func(r *http.Request) { r.Header.Del("X-Amz-Checksum-Sha256") }},
				{name: "OtherKey", opts: mediastore.DirectOptions{ContentType: "image/png", Size: int64(len(body))},
					change: func(r *http.Request) { r.URL.Path = strings.Replace(r.URL.Path, "/upload-", "/other-", 1) }},
			} {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					p, b := setup(t, k.opts, nil)
					ctx := context.Background()
					key := "upload-" + tc.name + ".png"
					tk, err := p.PrepareDirect(ctx, key, &tc.opts)
					if err != nil {
						t.Fatalf("PrepareDirect: %v", err)
					}
					checkTicket(t, tk, key, &tc.opts, 5*time.Minute)
					sent := body
					if tc.body != nil {
						sent = tc.body
					}
					status := send(t, b.srv.HTTPClient(), tk, sent, tc.change)
					if !tc.ok {
						if status < 400 {
							t.Fatalf("PUT: status %d; want a refusal", status)
						}
						b.requireGone(t, p, key)
						b.requireGone(t, p, strings.Replace(key, "upload-", "other-", 1))
						return
					}
					if status != http.StatusOK {
						t.Fatalf("PUT: status %d; want 200", status)
					}
					obj, err := p.Stat(ctx, key)
					if err != nil {
						t.Fatalf("Stat: %v", err)
					}
					if obj.Size != int64(len(sent)) || obj.ContentType != "image/png" {
						t.Errorf("Stat = %+v; want %d bytes of image/png", obj, len(sent))
					}
					if tc.opts.SHA256 != "" && obj.SHA256 != tc.opts.SHA256 {
						t.Errorf("Stat SHA256 = %q; want %q", obj.SHA256, tc.opts.SHA256)
					}
					rc, err := p.ReadRange(ctx, key, 0, 8)
					if err != nil {
						t.Fatalf("ReadRange: %v", err)
					}
					head, err := io.ReadAll(rc)
					rc.Close()
					if err != nil || !bytes.Equal(head, sent[:8]) {
						t.Errorf("ReadRange(0, 8) = %q, %v; want %q", head, err, sent[:8])
					}
				})
			}
		})
	}
}

// checkTicket checks a ticket's shape: a presigned PUT whose signed headers
// are in Headers and whose ExpiresAt matches the expiry.
func checkTicket(t *testing.T, tk *mediastore.Ticket, key string, opts *mediastore.DirectOptions, expiry time.Duration) {
	t.Helper()
	if tk.Key != key || tk.Method != http.MethodPut {
		t.Errorf("ticket key %q, method %q; want %q, PUT", tk.Key, tk.Method, key)
	}
	u, err := url.Parse(tk.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	signed := q.Get("X-Amz-SignedHeaders")
	if want := "content-type"; !strings.Contains(signed, want) || tk.Headers.Get("Content-Type") != opts.ContentType {
		t.Errorf("signed headers %q, Content-Type %q; want the content type signed", signed, tk.Headers.Get("Content-Type"))
	}
	wantLength := opts.Size > 0
	if strings.Contains(signed, "content-length") != wantLength || (tk.Headers.Get("Content-Length") != "") != wantLength {
		t.Errorf("signed headers %q, Content-Length %q; want the length signed: %v", signed, tk.Headers.Get("Content-Length"), wantLength)
	}
	wantSum := opts.SHA256 != ""
	if strings.Contains(signed, "x-amz-checksum-sha256") != wantSum || (tk.Headers.Get("X-Amz-Checksum-Sha256") != "") != wantSum {
		t.Errorf("signed headers %q; want x-amz-checksum-sha256 signed: %v", signed, wantSum)
	}
	if q.Get("X-Amz-Expires") != strconvSeconds(expiry) {
		t.Errorf("X-Amz-Expires = %q; want %s", q.Get("X-Amz-Expires"), strconvSeconds(expiry))
	}
	date, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil || !tk.ExpiresAt.Equal(date.Add(expiry)) {
		t.Errorf("ExpiresAt = %v; want X-Amz-Date %v + %v", tk.ExpiresAt, date, expiry)
	}
	if tk.Headers.Get("Host") != "" {
		t.Errorf("ticket headers hold Host")
	}
}

func strconvSeconds(d time.Duration) string { return strconv.Itoa(int(d / time.Second)) }

func TestPrepareDirectExpires(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil, nil)
	ctx := context.Background()
	body := []byte("late")
	tk, err := p.PrepareDirect(ctx, "late.txt", &mediastore.DirectOptions{ContentType: "text/plain", Size: 4, Expiry: time.Second})
	if err != nil {
		t.Fatalf("PrepareDirect: %v", err)
	}
	if got := tk.ExpiresAt.Sub(time.Now()); got > time.Second {
		t.Fatalf("ExpiresAt in %v; want at most 1s", got)
	}
	// The server judges expiry in whole seconds: wait until a second after.
	timer := time.NewTimer(time.Until(tk.ExpiresAt.Add(time.Second + 100*time.Millisecond)))
	<-timer.C
	if status := send(t, b.srv.HTTPClient(), tk, body, nil); status != http.StatusForbidden {
		t.Fatalf("PUT after expiry: status %d; want 403", status)
	}
	b.requireGone(t, p, "late.txt")
}

// TestPrepareDirectCreateOnly: with CreateOnly a ticket uploads once. A
// replay after the first upload (the client swapping the checked bytes for
// others after the confirm) is refused and leaves the object as it was; a
// PUT that leaves out the If-None-Match header is refused too, since the
// header is signed. Without CreateOnly the same replay replaces the object,
// which is what the option is for.
func TestPrepareDirectCreateOnly(t *testing.T) {
	t.Parallel()
	first := []byte("\x89PNG\r\n\x1a\n the checked picture")
	second := []byte("<html><script>not a picture</script>")
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			for _, createOnly := range []bool{true, false} {
				p, b := setup(t, k.opts, func(c *s3compat.Config) { c.CreateOnly = createOnly })
				ctx := context.Background()
				opts := &mediastore.DirectOptions{ContentType: "image/png", Size: -1}
				tk, err := p.PrepareDirect(ctx, "once.png", opts)
				if err != nil {
					t.Fatalf("PrepareDirect: %v", err)
				}
				checkTicket(t, tk, "once.png", opts, 5*time.Minute)
				signed := strings.Contains(mustQuery(t, tk.URL).Get("X-Amz-SignedHeaders"), "if-none-match")
				if signed != createOnly || (tk.Headers.Get("If-None-Match") == "*") != createOnly {
					t.Fatalf("CreateOnly %v: If-None-Match signed %v, in Headers %q", createOnly, signed, tk.Headers.Get("If-None-Match"))
				}
				if createOnly {
					drop := func(r *http.Request) { r.Header.Del("If-None-Match") }
					if status := send(t, b.srv.HTTPClient(), tk, first, drop); status != http.StatusForbidden {
						t.Fatalf("PUT without If-None-Match: status %d; want 403", status)
					}
					b.requireGone(t, p, "once.png")
				}
				if status := send(t, b.srv.HTTPClient(), tk, first, nil); status != http.StatusOK {
					t.Fatalf("first PUT: status %d; want 200", status)
				}
				status := send(t, b.srv.HTTPClient(), tk, second, nil)
				want := first
				if !createOnly {
					want = second
				}
				switch {
				case createOnly && status != http.StatusPreconditionFailed:
					t.Fatalf("replayed PUT: status %d; want 412", status)
				case !createOnly && status != http.StatusOK:
					t.Fatalf("replayed PUT without CreateOnly: status %d; want 200 (the replay this option stops)", status)
				}
				rc, err := p.ReadRange(ctx, "once.png", 0, 100)
				if err != nil {
					t.Fatalf("ReadRange: %v", err)
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("CreateOnly %v: object holds %q, %v; want %q", createOnly, got, err, want)
				}
			}
		})
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestPrepareDirectWithoutChecksums(t *testing.T) {
	t.Parallel()
	// Without SHA256Checksums (B2) a declared checksum is not signed: the
	// Client verifies it at confirm instead.
	p, _ := setup(t, nil, func(c *s3compat.Config) { c.SHA256Checksums = false; c.DirectUploadExpiry = time.Minute })
	opts := &mediastore.DirectOptions{ContentType: "image/png", Size: 10, SHA256: hexSum([]byte("0123456789"))}
	tk, err := p.PrepareDirect(context.Background(), "k.png", opts)
	if err != nil {
		t.Fatalf("PrepareDirect: %v", err)
	}
	checkTicket(t, tk, "k.png", &mediastore.DirectOptions{ContentType: "image/png", Size: 10}, time.Minute)
}

func TestPrepareDirectInvalid(t *testing.T) {
	t.Parallel()
	p, _ := setup(t, nil, nil)
	for _, opts := range []*mediastore.DirectOptions{
		{ContentType: "image/png", Size: -1, SHA256: "not hex"},
		{ContentType: "image/png", Size: -1, SHA256: "abcd"},
		{ContentType: "image/png", Size: -1, Expiry: 8 * 24 * time.Hour},
		{ContentType: "image/png", Size: -1, Expiry: -time.Second},
	} {
		if _, err := p.PrepareDirect(context.Background(), "k", opts); mediastore.KindOf(err) != mediastore.ErrInvalid {
			t.Errorf("PrepareDirect(%+v): %v; want ErrInvalid", opts, err)
		}
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			p, b := setup(t, k.opts, nil)
			ctx := context.Background()
			data := []byte("some bytes to download")
			for _, key := range []string{"dl/file one.txt", "dl/üñî/çødé?.txt"} {
				if _, err := p.Put(ctx, key, bytes.NewReader(data), &mediastore.PutOptions{Size: int64(len(data)), ContentType: "text/plain"}); err != nil {
					t.Fatalf("Put: %v", err)
				}
			}
			u, err := p.URL(ctx, "dl/file one.txt", &mediastore.URLOptions{Expiry: time.Minute})
			if err != nil {
				t.Fatalf("URL: %v", err)
			}
			if q, _ := url.ParseQuery(strings.SplitN(u, "?", 2)[1]); q.Get("X-Amz-Expires") != "60" {
				t.Errorf("URL %s; want X-Amz-Expires=60", u)
			}
			got, resp := get(t, b.srv.HTTPClient(), u)
			if resp.StatusCode != http.StatusOK || !bytes.Equal(got, data) {
				t.Fatalf("GET presigned URL: status %d, %q; want 200 and the bytes put", resp.StatusCode, got)
			}
			// The signature covers the key.
			_, resp = get(t, b.srv.HTTPClient(), strings.Replace(u, "file%20one", "file%20two", 1))
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("GET presigned URL with another key: status %d; want 403", resp.StatusCode)
			}

			u, err = p.URL(ctx, "dl/üñî/çødé?.txt", &mediastore.URLOptions{Expiry: time.Minute, DownloadName: "résumé \"final\".txt"})
			if err != nil {
				t.Fatalf("URL: %v", err)
			}
			got, resp = get(t, b.srv.HTTPClient(), u)
			if resp.StatusCode != http.StatusOK || !bytes.Equal(got, data) {
				t.Fatalf("GET presigned URL with a download name: status %d, %q; want 200 and the bytes put", resp.StatusCode, got)
			}
			cd := resp.Header.Get("Content-Disposition")
			if !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "r%C3%A9sum%C3%A9") {
				t.Errorf("Content-Disposition = %q; want an attachment named résumé", cd)
			}
		})
	}
}

func get(t *testing.T, client *http.Client, u string) ([]byte, *http.Response) {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	return b, resp
}

func TestURLPublic(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil, func(c *s3compat.Config) { c.PublicBaseURL = "https://cdn.example.com/media/" })
	ctx := context.Background()
	u, err := p.URL(ctx, "a b/ü?#.png", &mediastore.URLOptions{Expiry: time.Minute})
	if err != nil || u != "https://cdn.example.com/media/a%20b/%C3%BC%3F%23.png" {
		t.Errorf("URL = %q, %v; want the escaped key under the public base URL", u, err)
	}
	obj, err := p.Put(ctx, "x.txt", strings.NewReader("x"), &mediastore.PutOptions{Size: 1})
	if err != nil || obj.URL != "https://cdn.example.com/media/x.txt" {
		t.Errorf("Put = %+v, %v; want the public URL in Object.URL", obj, err)
	}
	// Signed asks for a presigned GET even so.
	u, err = p.URL(ctx, "x.txt", &mediastore.URLOptions{Expiry: time.Minute, Signed: true})
	if err != nil || !strings.HasPrefix(u, b.srv.Endpoint+"/"+b.bucket+"/x.txt?") {
		t.Fatalf("URL(Signed) = %q, %v; want a presigned URL", u, err)
	}
	if got, resp := get(t, b.srv.HTTPClient(), u); resp.StatusCode != http.StatusOK || string(got) != "x" {
		t.Errorf("GET signed URL: status %d, %q", resp.StatusCode, got)
	}
}
