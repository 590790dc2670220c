package cloudinary

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/fakes/cloudinaryfake"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type testBundle struct {
	fake *cloudinaryfake.Server
	cfg  Config
}

// setup starts a fake and a provider pointed at it; mod adjusts the
// provider's configuration.
func setup(t *testing.T, fakeOpts *cloudinaryfake.Options, mod func(*Config)) (*Provider, *testBundle) {
	t.Helper()
	fake := cloudinaryfake.Start(t, fakeOpts)
	o := fake.Options()
	cfg := Config{
		CloudName: o.CloudName, APIKey: o.APIKey, APISecret: o.APISecret, SignatureAlgorithm: o.SignatureAlgorithm,
		APIBaseURL: fake.URL, DeliveryBaseURL: fake.URL, HTTPClient: fake.Client(), ChunkSize: MinChunkSize,
	}
	if mod != nil {
		mod(&cfg)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p, &testBundle{fake: fake, cfg: cfg}
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func get(t *testing.T, c *http.Client, u string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestPutStatURLDelete(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil, nil)
	ctx := t.Context()
	img := pngOf(t, 3, 2)
	obj, err := p.Put(ctx, "owner/01abc-photo.png", bytes.NewReader(img),
		&mediastore.PutOptions{Size: int64(len(img)), ContentType: "image/png", ResourceType: "image", Filename: "photo.png"})
	if err != nil {
		t.Fatal(err)
	}
	if obj.Key != "image/upload/owner/01abc-photo" || obj.Size != int64(len(img)) || obj.ContentType != "image/png" ||
		obj.ResourceType != "image" || obj.Width != 3 || obj.Height != 2 || obj.ETag == "" || obj.ModTime.IsZero() {
		t.Errorf("Put: %+v", obj)
	}
	for _, k := range []string{"version", "asset_id", "etag", "format", "public_id", "type", "version_id"} {
		if obj.Extra[k] == nil || obj.Extra[k] == "" {
			t.Errorf("Put: Extra[%q] missing: %v", k, obj.Extra)
		}
	}
	if _, err := json.Marshal(obj.Extra); err != nil {
		t.Error(err)
	}
	if a, ok := b.fake.Asset("image", "upload", "owner/01abc-photo"); !ok || !bytes.Equal(a.Data, img) || a.OriginalFilename != "photo" {
		t.Fatalf("stored %+v %v", a, ok)
	}
	if e := b.fake.Log()[0]; e.Path != "/v1_1/fakecloud/image/upload" || e.UploadID != "" {
		t.Errorf("a small known-size Put is one request to image/upload: %+v", e)
	}
	st, err := p.Stat(ctx, obj.Key)
	if err != nil || st.Key != obj.Key || st.Size != obj.Size || st.URL != obj.URL || st.Extra["version"] != obj.Extra["version"] {
		t.Errorf("Stat: %+v %v", st, err)
	}
	for _, u := range []string{obj.URL, mustURL(t, p, obj.Key, false), mustURL(t, p, obj.Key, true)} {
		if resp, body := get(t, b.fake.Client(), u, nil); resp.StatusCode != http.StatusOK || !bytes.Equal(body, img) {
			t.Errorf("GET %s: %d", u, resp.StatusCode)
		}
	}
	if err := p.Delete(ctx, obj.Key); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Stat(ctx, obj.Key); !errors.Is(err, mediastore.ErrNotFound) || mediastore.KindOf(err) != mediastore.ErrNotFound {
		t.Errorf("Stat after Delete: %v", err)
	}
	if err := p.Delete(ctx, obj.Key); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	var ae *APIError
	if _, err := p.Stat(ctx, obj.Key); !errors.As(err, &ae) || ae.StatusCode != http.StatusNotFound || !strings.HasPrefix(ae.Message, "Resource not found") {
		t.Errorf("Stat error keeps status and message: %v", err)
	}
}

func mustURL(t *testing.T, p *Provider, key string, signed bool) string {
	t.Helper()
	u, err := p.URL(t.Context(), key, &mediastore.URLOptions{Expiry: time.Minute, Signed: signed})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestPutRawAndAuto(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil, func(c *Config) { c.Folder = "app" })
	ctx := t.Context()
	obj, err := p.Put(ctx, "owner/01abc-notes.v2.txt", strings.NewReader("hello"),
		&mediastore.PutOptions{Size: 5, ContentType: "text/plain; charset=utf-8", ResourceType: "raw"})
	if err != nil || obj.Key != "raw/upload/app/owner/01abc-notes.v2.txt" || obj.ContentType != "" || obj.ResourceType != "raw" {
		t.Fatalf("raw Put: %+v %v", obj, err)
	}
	// No resource type known: auto/upload, and Cloudinary's answer decides the key.
	img := pngOf(t, 1, 1)
	obj, err = p.Put(ctx, "owner/01abc-mystery", bytes.NewReader(img), &mediastore.PutOptions{Size: -1})
	if err != nil || obj.Key != "image/upload/app/owner/01abc-mystery" || obj.ResourceType != "image" {
		t.Fatalf("auto Put: %+v %v", obj, err)
	}
	if paths := logPaths(b.fake); paths[len(paths)-1] != "/v1_1/fakecloud/auto/upload" {
		t.Errorf("auto Put went to %v", paths)
	}
	// A Client key (the one given to Put) also works for Stat.
	if st, err := p.Stat(ctx, "owner/01abc-notes.v2.txt"); err != nil || st.Key != "raw/upload/app/owner/01abc-notes.v2.txt" {
		t.Errorf("Stat by the Client's key: %+v %v", st, err)
	}
	if st, err := p.Stat(ctx, "owner/01abc-mystery"); err != nil || st.ResourceType != "image" {
		t.Errorf("Stat of an auto key: %+v %v", st, err)
	}
	if err := p.Delete(ctx, "auto/upload/app/owner/01abc-mystery"); err != nil || b.fake.Len() != 1 {
		t.Errorf("Delete of an auto key: %v, %d left", err, b.fake.Len())
	}
	// Content Cloudinary refuses is the caller's problem.
	_, err = p.Put(ctx, "owner/01abc-fake.png", strings.NewReader("not a png"), &mediastore.PutOptions{Size: 9, ResourceType: "image"})
	if !errors.Is(err, mediastore.ErrInvalid) {
		t.Errorf("text as an image: %v", err)
	}
	_, err = p.Put(ctx, "owner/01abc-empty.txt", strings.NewReader(""), &mediastore.PutOptions{Size: 0, ResourceType: "raw"})
	if !errors.Is(err, mediastore.ErrInvalid) {
		t.Errorf("empty file: %v", err)
	}
}

func logPaths(f *cloudinaryfake.Server) []string {
	var out []string
	for _, e := range f.Log() {
		out = append(out, e.Path)
	}
	return out
}

// pattern is a deterministic byte stream.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31 + i>>11)
	}
	return b
}

func TestChunkedUpload(t *testing.T) {
	t.Parallel()
	const size = 12 << 20
	data := pattern(size)
	for _, tc := range []struct {
		name     string
		declared int64
		ranges   []string
	}{
		{"UnknownLength", -1, []string{"bytes 0-5242879/-1", "bytes 5242880-10485759/-1", "bytes 10485760-12582911/12582912"}},
		{"KnownLength", size, []string{"bytes 0-5242879/12582912", "bytes 5242880-10485759/12582912", "bytes 10485760-12582911/12582912"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, b := setup(t, nil, nil)
			obj, err := p.Put(t.Context(), "owner/01abc-big.bin", struct{ io.Reader }{bytes.NewReader(data)},
				&mediastore.PutOptions{Size: tc.declared, ResourceType: "raw"})
			if err != nil {
				t.Fatal(err)
			}
			if obj.Size != size || obj.Key != "raw/upload/owner/01abc-big.bin" {
				t.Errorf("Put: %+v", obj)
			}
			a, ok := b.fake.Asset("raw", "upload", "owner/01abc-big.bin")
			if !ok || !bytes.Equal(a.Data, data) {
				t.Fatalf("chunked upload not byte-exact (stored %v)", ok)
			}
			var ranges []string
			ids := map[string]bool{}
			for _, e := range b.fake.Log() {
				ranges = append(ranges, e.ContentRange)
				ids[e.UploadID] = true
				if e.Status != http.StatusOK || e.Path != "/v1_1/fakecloud/raw/upload" {
					t.Errorf("chunk request %+v", e)
				}
			}
			if !slices.Equal(ranges, tc.ranges) || len(ids) != 1 || ids[""] {
				t.Errorf("chunks %v with upload ids %v, want %v under one id", ranges, ids, tc.ranges)
			}
			if resp, body := get(t, b.fake.Client(), obj.URL, nil); resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) {
				t.Errorf("download: %d, %d bytes", resp.StatusCode, len(body))
			}
		})
	}
	t.Run("UnknownLengthOnePart", func(t *testing.T) {
		t.Parallel()
		p, b := setup(t, nil, nil)
		if _, err := p.Put(t.Context(), "owner/01abc-small.bin", struct{ io.Reader }{bytes.NewReader(data[:1000])},
			&mediastore.PutOptions{Size: -1, ResourceType: "raw"}); err != nil {
			t.Fatal(err)
		}
		if l := b.fake.Log(); len(l) != 1 || l[0].UploadID != "" || l[0].FileBytes != 1000 {
			t.Errorf("a short stream of unknown length is one plain upload: %+v", l)
		}
	})
	t.Run("ExactMultipleOfChunk", func(t *testing.T) {
		t.Parallel()
		p, b := setup(t, nil, nil)
		if _, err := p.Put(t.Context(), "owner/01abc-ten.bin", struct{ io.Reader }{bytes.NewReader(data[:10<<20])},
			&mediastore.PutOptions{Size: -1, ResourceType: "raw"}); err != nil {
			t.Fatal(err)
		}
		l := b.fake.Log()
		if len(l) != 2 || l[1].ContentRange != "bytes 5242880-10485759/10485760" {
			t.Errorf("two full parts, the last with the total: %+v", l)
		}
	})
}

type errReader struct {
	n   int
	err error
}

func (r *errReader) Read(b []byte) (int, error) {
	if r.n == 0 {
		return 0, r.err
	}
	k := min(len(b), r.n)
	clear(b[:k])
	r.n -= k
	return k, nil
}

func TestPutBadStreams(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil, nil)
	ctx := t.Context()
	limit := mediastore.NewError("Upload", "", "", mediastore.ErrTooLarge, nil)
	for _, tc := range []struct {
		name string
		r    io.Reader
		size int64
		kind error
	}{
		{"Shorter", strings.NewReader("12345"), 10, mediastore.ErrInvalid},
		{"Longer", strings.NewReader("1234567890"), 5, mediastore.ErrInvalid},
		{"ChunkedShorter", &errReader{n: 6 << 20, err: io.EOF}, 8 << 20, mediastore.ErrInvalid},
		{"ChunkedLonger", &errReader{n: 12 << 20, err: io.EOF}, 10 << 20, mediastore.ErrInvalid},
		{"ReaderFails", &errReader{n: 1 << 20, err: errors.New("disk on fire")}, 2 << 20, mediastore.ErrInvalid},
		{"ReaderFailsUnknown", &errReader{n: 6 << 20, err: errors.New("disk on fire")}, -1, mediastore.ErrInvalid},
		{"ClientLimit", &errReader{n: 1 << 20, err: limit}, 2 << 20, mediastore.ErrTooLarge},
		{"ClientLimitChunked", &errReader{n: 7 << 20, err: limit}, -1, mediastore.ErrTooLarge},
	} {
		_, err := p.Put(ctx, "owner/01abc-"+tc.name+".bin", tc.r, &mediastore.PutOptions{Size: tc.size, ResourceType: "raw"})
		if mediastore.KindOf(err) != tc.kind {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.kind)
		}
	}
	if n := b.fake.Len(); n != 0 {
		t.Errorf("%d assets left by failed Puts", n)
	}
	for _, size := range []int64{9 << 20, 4 << 20, -1} {
		cctx, cancel := context.WithCancel(ctx)
		n := size
		if n < 0 {
			n = 9 << 20
		}
		r := &cancelReader{r: &errReader{n: int(n), err: io.EOF}, after: 1 << 20, cancel: cancel}
		_, err := p.Put(cctx, "owner/01abc-cancelled.bin", r, &mediastore.PutOptions{Size: size, ResourceType: "raw"})
		if !errors.Is(err, context.Canceled) || !errors.Is(err, mediastore.ErrProvider) {
			t.Errorf("Put (size %d) cancelled mid-stream: %v", size, err)
		}
		cancel()
	}
	if n := b.fake.Len(); n != 0 {
		t.Errorf("%d assets left by cancelled Puts", n)
	}
}

// cancelReader cancels after the first after bytes and goes on reading.
type cancelReader struct {
	r      io.Reader
	after  int
	cancel context.CancelFunc
}

func (c *cancelReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	if c.after -= n; c.after <= 0 {
		c.cancel()
	}
	return n, err
}

func TestErrorsNeverHoldSecrets(t *testing.T) {
	t.Parallel()
	now := time.Now()
	fake := cloudinaryfake.Start(t, &cloudinaryfake.Options{Now: func() time.Time { return now }})
	o := fake.Options()
	base := Config{CloudName: o.CloudName, APIKey: o.APIKey, APISecret: o.APISecret,
		APIBaseURL: fake.URL, DeliveryBaseURL: fake.URL, HTTPClient: fake.Client()}
	wrongSecret := base
	wrongSecret.APISecret = "the-wrong-secret-1234"
	stale := base
	stale.Test.Now = func() time.Time { return now.Add(-2 * time.Hour) }
	wrongKey := base
	wrongKey.APIKey = "999999999999999"
	down := base
	down.APIBaseURL = "http://127.0.0.1:1"
	down.DeliveryBaseURL = "http://127.0.0.1:1"

	ctx := t.Context()
	for _, tc := range []struct {
		name   string
		cfg    Config
		status int
	}{
		{"WrongSecret", wrongSecret, http.StatusUnauthorized},
		{"StaleClock", stale, http.StatusBadRequest},
		{"WrongKey", wrongKey, http.StatusUnauthorized},
		{"Unreachable", down, 0},
	} {
		p, err := New(tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		secrets := []string{tc.cfg.APISecret, o.APISecret, tc.cfg.APIKey}
		check := func(op string, err error) {
			t.Helper()
			if !errors.Is(err, mediastore.ErrProvider) || mediastore.KindOf(err) != mediastore.ErrProvider {
				t.Errorf("%s %s: %v, want an ErrProvider error", tc.name, op, err)
			}
			msg := fmt.Sprintf("%v %+v", err, err)
			for _, s := range secrets {
				if strings.Contains(msg, s) {
					t.Errorf("%s %s: error holds a credential: %s", tc.name, op, msg)
				}
			}
			if hexRun.MatchString(msg) || urlSignature.MatchString(strings.ReplaceAll(msg, "s--[redacted]--", "")) {
				t.Errorf("%s %s: error holds a signature: %s", tc.name, op, msg)
			}
			var ae *APIError
			if tc.status != 0 && (!errors.As(err, &ae) || ae.StatusCode != tc.status) {
				t.Errorf("%s %s: %v, want HTTP %d", tc.name, op, err, tc.status)
			}
		}
		_, err = p.Put(ctx, "owner/01abc-a.txt", strings.NewReader("abc"), &mediastore.PutOptions{Size: 3, ResourceType: "raw"})
		check("Put", err)
		err = p.Delete(ctx, "raw/upload/owner/01abc-a.txt")
		check("Delete", err)
		if tc.name != "StaleClock" {
			_, err = p.Stat(ctx, "raw/upload/owner/01abc-a.txt")
			check("Stat", err)
		}
		if tc.name == "WrongSecret" {
			var ae *APIError
			_, err = p.Put(ctx, "owner/01abc-a.txt", strings.NewReader("abc"), &mediastore.PutOptions{Size: 3, ResourceType: "raw"})
			if !errors.As(err, &ae) || !strings.HasPrefix(ae.Message, "Invalid Signature [redacted]. String to sign - '") {
				t.Errorf("the message keeps Cloudinary's words, without the signature: %v", err)
			}
		}
	}
	if fake.Len() != 0 {
		t.Errorf("refused requests stored %d assets", fake.Len())
	}
}

// browserUpload executes a ticket as a browser would and returns
// Cloudinary's JSON answer as the strings a client posts back.
func browserUpload(t *testing.T, c *http.Client, tk *mediastore.Ticket, data []byte) (int, map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, k := range slices.Sorted(maps.Keys(tk.Fields)) {
		_ = mw.WriteField(k, tk.Fields[k])
	}
	fw, _ := mw.CreateFormFile(tk.FileField, "upload.png")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(tk.Method, tk.URL, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&raw)
	out := map[string]string{}
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			out[k] = v
		case float64:
			out[k] = fmt.Sprint(int64(v))
		}
	}
	return resp.StatusCode, out
}

func TestDirectUpload(t *testing.T) {
	t.Parallel()
	now := time.Now()
	clock := &now
	p, b := setup(t, &cloudinaryfake.Options{SignatureAlgorithm: "sha256", Now: func() time.Time { return *clock }}, func(c *Config) {
		c.DeliveryType = "authenticated"
		c.Test.Now = func() time.Time { return now }
	})
	ctx := t.Context()
	img := pngOf(t, 5, 4)
	tk, err := p.PrepareDirect(ctx, "owner/01abc-avatar.png", &mediastore.DirectOptions{
		ContentType: "image/png", ResourceType: "image", Size: int64(len(img)), Expiry: 3 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	wantFields := []string{"api_key", "overwrite", "public_id", "signature", "timestamp", "type"}
	if tk.Key != "auto/authenticated/owner/01abc-avatar" || tk.Method != http.MethodPost || tk.FileField != "file" ||
		tk.URL != b.fake.URL+"/v1_1/fakecloud/image/upload" || !slices.Equal(slices.Sorted(maps.Keys(tk.Fields)), wantFields) ||
		tk.Fields["public_id"] != "owner/01abc-avatar" || tk.Fields["type"] != "authenticated" || tk.Fields["overwrite"] != "false" ||
		tk.Fields["api_key"] != b.cfg.APIKey || len(tk.Fields["signature"]) != 64 || !tk.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("ticket %+v", tk)
	}
	if js, _ := json.Marshal(tk); strings.Contains(string(js), b.cfg.APISecret) {
		t.Fatal("the ticket holds the secret")
	}

	// Nothing uploaded yet.
	if _, err := p.VerifyDirect(ctx, tk.Key, nil); !errors.Is(err, mediastore.ErrNotFound) {
		t.Errorf("VerifyDirect before the upload: %v", err)
	}
	status, proof := browserUpload(t, b.fake.Client(), tk, img)
	if status != http.StatusOK || proof["signature"] == "" || proof["version"] == "" {
		t.Fatalf("upload with the ticket: %d %v", status, proof)
	}
	if k, err := p.DirectKey(proof); err != nil || k != tk.Key {
		t.Errorf("DirectKey(proof) = %q %v, want %q", k, err, tk.Key)
	}
	// The key does not depend on the resource type, which a ticket
	// prepared without a declared type cannot know.
	if k, err := p.DirectKey(map[string]string{"public_id": "x"}); err != nil || k != "auto/authenticated/x" {
		t.Errorf("DirectKey without resource_type = %q %v", k, err)
	}
	for _, bad := range []map[string]string{
		{"public_id": "x", "resource_type": "file"},
		{"resource_type": "image"},
		{"public_id": "x", "type": "public"},
		{"public_id": "../x"},
	} {
		if k, err := p.DirectKey(bad); !errors.Is(err, mediastore.ErrInvalid) {
			t.Errorf("DirectKey(%v) = %q %v, want ErrInvalid", bad, k, err)
		}
	}
	// The client's URL and size are never used: only what Cloudinary says.
	lying := maps.Clone(proof)
	lying["secure_url"], lying["bytes"] = "https://evil.example/x.png", "1"
	obj, err := p.VerifyDirect(ctx, tk.Key, lying)
	if err != nil {
		t.Fatal(err)
	}
	if obj.Key != "image/authenticated/owner/01abc-avatar" || obj.Size != int64(len(img)) || obj.Width != 5 || obj.Height != 4 || !strings.HasPrefix(obj.URL, b.fake.URL) {
		t.Errorf("VerifyDirect: %+v", obj)
	}
	if obj2, err := p.VerifyDirect(ctx, tk.Key, map[string]string{}); err != nil || obj2.Size != obj.Size {
		t.Errorf("VerifyDirect without proof (Admin API): %+v %v", obj2, err)
	}

	forged := func(mod func(map[string]string)) map[string]string {
		f := maps.Clone(proof)
		mod(f)
		return f
	}
	for _, tc := range []struct {
		name  string
		proof map[string]string
		kind  error
	}{
		{"ForgedSignature", forged(func(f map[string]string) { f["signature"] = strings.Repeat("ab", 32) }), mediastore.ErrForbidden},
		{"OtherVersion", forged(func(f map[string]string) { f["version"] = "1" }), mediastore.ErrForbidden},
		{"VersionWithoutSignature", forged(func(f map[string]string) { delete(f, "signature") }), mediastore.ErrForbidden},
		{"SHA1Signature", forged(func(f map[string]string) {
			f["signature"] = cloudinaryfake.ResponseSignature(f["public_id"], 0, b.cfg.APISecret, "sha1")
		}), mediastore.ErrForbidden},
		{"UnknownPublicID", forged(func(f map[string]string) { f["public_id"] = "owner/01abc-someone-else" }), mediastore.ErrForbidden},
	} {
		if obj, err := p.VerifyDirect(ctx, tk.Key, tc.proof); mediastore.KindOf(err) != tc.kind {
			t.Errorf("%s: %+v %v, want %v", tc.name, obj, err, tc.kind)
		}
	}
	// A right signature for a public ID never uploaded still needs the resource.
	ghost := "image/authenticated/owner/01abc-ghost"
	ghostProof := map[string]string{"public_id": "owner/01abc-ghost", "version": "42",
		"signature": cloudinaryfake.ResponseSignature("owner/01abc-ghost", 42, b.cfg.APISecret, "sha256")}
	if _, err := p.VerifyDirect(ctx, ghost, ghostProof); !errors.Is(err, mediastore.ErrNotFound) {
		t.Errorf("signed proof of a missing resource: %v", err)
	}

	// The ticket cannot replace the confirmed asset (overwrite=false is signed).
	status, again := browserUpload(t, b.fake.Client(), tk, pngOf(t, 50, 50))
	if a, _ := b.fake.Asset("image", "authenticated", "owner/01abc-avatar"); status != http.StatusOK || again["version"] != proof["version"] || again["width"] != "5" || !bytes.Equal(a.Data, img) {
		t.Errorf("second upload with the ticket: %d %v", status, again)
	}
	// Tampering with a signed field is refused by Cloudinary.
	bad := *tk
	bad.Fields = maps.Clone(tk.Fields)
	bad.Fields["overwrite"] = "true"
	if status, out := browserUpload(t, b.fake.Client(), &bad, img); status != http.StatusUnauthorized {
		t.Errorf("tampered ticket: %d %v", status, out)
	}
	// After an hour the signature is stale.
	later := now.Add(61 * time.Minute)
	clock = &later
	if status, out := browserUpload(t, b.fake.Client(), tk, img); status != http.StatusBadRequest {
		t.Errorf("stale ticket: %d %v", status, out)
	}
}

func TestURLsAndRanges(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil, func(c *Config) { c.DeliveryType = "authenticated" })
	ctx := t.Context()
	img := pngOf(t, 8, 8)
	obj, err := p.Put(ctx, "owner/01abc-pic.png", bytes.NewReader(img), &mediastore.PutOptions{Size: int64(len(img)), ResourceType: "image"})
	if err != nil {
		t.Fatal(err)
	}
	c := b.fake.Client()
	u := mustURL(t, p, obj.Key, false)
	if !strings.Contains(u, "/image/authenticated/s--") {
		t.Errorf("authenticated URL not signed: %s", u)
	}
	if resp, body := get(t, c, u, nil); resp.StatusCode != http.StatusOK || !bytes.Equal(body, img) {
		t.Errorf("GET signed: %d", resp.StatusCode)
	}
	unsigned := b.fake.URL + "/fakecloud/image/authenticated/v1/owner/01abc-pic"
	if resp, _ := get(t, c, unsigned, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET unsigned authenticated: %d", resp.StatusCode)
	}

	tu, err := p.TransformURL(ctx, obj.Key, &mediastore.Transform{Width: 10, Height: 10, Crop: "fill", Format: "webp"},
		&mediastore.URLOptions{DownloadName: "My Pic.png"})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, c, tu, nil)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, img) ||
		resp.Header.Get("X-Fake-Transformation") != "c_fill,f_webp,h_10,w_10/fl_attachment:My_Pic" ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="My_Pic.png"` {
		t.Errorf("GET %s: %d %v", tu, resp.StatusCode, resp.Header)
	}

	rr := func(off, n int64) []byte {
		t.Helper()
		rc, err := p.ReadRange(ctx, obj.Key, off, n)
		if err != nil {
			t.Fatalf("ReadRange(%d, %d): %v", off, n, err)
		}
		defer rc.Close()
		got, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := rr(0, 8); !bytes.Equal(got, img[:8]) {
		t.Errorf("ReadRange head: %q", got)
	}
	if got := rr(10, -1); !bytes.Equal(got, img[10:]) {
		t.Errorf("ReadRange tail: %d bytes", len(got))
	}
	if got := rr(int64(len(img)), -1); len(got) != 0 {
		t.Errorf("ReadRange past the end: %d bytes", len(got))
	}
	if _, err := p.ReadRange(ctx, "image/authenticated/owner/nothing", 0, 10); !errors.Is(err, mediastore.ErrNotFound) {
		t.Errorf("ReadRange of a missing asset: %v", err)
	}
	if _, err := p.ReadRange(ctx, obj.Key, -1, 10); !errors.Is(err, mediastore.ErrInvalid) {
		t.Errorf("ReadRange(-1): %v", err)
	}
}

func TestVerifyNotificationFromFake(t *testing.T) {
	t.Parallel()
	p, b := setup(t, nil, nil)
	body := []byte(`{"notification_type":"upload","public_id":"owner/x"}`)
	h := b.fake.NotificationHeaders(body)
	if err := p.VerifyNotification(body, h, 0); err != nil {
		t.Errorf("genuine notification: %v", err)
	}
	if err := p.VerifyNotification(append(body, ' '), h, 0); !errors.Is(err, mediastore.ErrForbidden) {
		t.Errorf("altered body: %v", err)
	}
	if err := p.VerifyNotification(body, http.Header{}, 0); !errors.Is(err, mediastore.ErrInvalid) {
		t.Errorf("no headers: %v", err)
	}
}
