package providertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
)

// fixture is one test's provider, client and key space.
type fixture struct {
	ctx    context.Context
	p      mediastore.Provider
	client *http.Client
	opts   Options
	// prefix is this test's owner-like first key segment, ending in "/".
	prefix string
}

func newFixture(t *testing.T, newHarness func(t *testing.T) Harness) *fixture {
	t.Helper()
	h := newHarness(t)
	if h == nil {
		t.Fatal("providertest: newHarness returned nil")
	}
	f := &fixture{ctx: t.Context(), prefix: "pt" + randHex(6) + "/"}
	if o, ok := h.(Optioner); ok {
		f.opts = o.Options()
	}
	if f.opts.LargeSize <= 0 {
		f.opts.LargeSize = defaultLargeSize
	}
	f.p = h.MakeProvider(f.ctx, t)
	if f.p == nil {
		t.Fatal("providertest: Harness.MakeProvider returned nil")
	}
	if f.client = h.HTTPClient(); f.client == nil {
		t.Fatal("providertest: Harness.HTTPClient returned nil")
	}
	return f
}

// key returns a new key of the Client's shape: "owner/uniqueid-name".
func (f *fixture) key(name string) string {
	return f.prefix + "01" + randHex(8) + "-" + name
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// put stores data and checks the returned Object; the object is deleted
// when the test ends. It returns the Object, whose Key later calls use.
func (f *fixture) put(t *testing.T, key string, data []byte, opts *mediastore.PutOptions) *mediastore.Object {
	t.Helper()
	if opts == nil {
		opts = &mediastore.PutOptions{Size: int64(len(data)), ContentType: "application/octet-stream", ResourceType: "raw"}
	}
	obj, err := f.p.Put(f.ctx, key, bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	f.checkReturned(t, key, obj)
	f.deleteAtEnd(t, obj.Key)
	checkObject(t, "Put", obj, data, opts)
	return obj
}

// checkReturned checks the Object that Put returned for key.
func (f *fixture) checkReturned(t *testing.T, key string, obj *mediastore.Object) {
	t.Helper()
	switch {
	case obj == nil:
		t.Fatalf("Put(%q) returned a nil Object and no error", key)
	case obj.Key == "":
		t.Fatalf("Put(%q) returned an Object with an empty Key", key)
	case !f.opts.AssignsKeys && obj.Key != key:
		t.Fatalf("Put(%q) returned Key %q; a provider that assigns its own keys must set Options.AssignsKeys", key, obj.Key)
	}
}

// deleteAtEnd deletes key in a cleanup, with a context of its own because
// t.Context is done by then.
func (f *fixture) deleteAtEnd(t *testing.T, key string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(f.ctx), 30*time.Second)
		defer cancel()
		if err := f.p.Delete(ctx, key); err != nil {
			t.Errorf("cleanup: Delete(%q): %v", key, err)
		}
	})
}

// checkObject checks what a provider reported against what was put: the
// size always; content type, resource type and checksum when reported.
func checkObject(t *testing.T, op string, obj *mediastore.Object, data []byte, opts *mediastore.PutOptions) {
	t.Helper()
	if obj.Size != int64(len(data)) {
		t.Errorf("%s: Object.Size = %d, want %d", op, obj.Size, len(data))
	}
	if obj.ContentType != "" && mediaType(obj.ContentType) != mediaType(opts.ContentType) {
		t.Errorf("%s: Object.ContentType = %q, want %q", op, obj.ContentType, opts.ContentType)
	}
	if obj.ResourceType != "" && opts.ResourceType != "" && obj.ResourceType != opts.ResourceType {
		t.Errorf("%s: Object.ResourceType = %q, want %q", op, obj.ResourceType, opts.ResourceType)
	}
	if obj.SHA256 != "" && obj.SHA256 != sha256Hex(data) {
		t.Errorf("%s: Object.SHA256 = %q, want %q", op, obj.SHA256, sha256Hex(data))
	}
}

// mediaType is the type without parameters, lowercased.
func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	return mt
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// stat calls Stat and checks the result against data.
func (f *fixture) stat(t *testing.T, key string, data []byte, opts *mediastore.PutOptions) *mediastore.Object {
	t.Helper()
	obj, err := f.p.Stat(f.ctx, key)
	if err != nil {
		t.Fatalf("Stat(%q): %v", key, err)
	}
	if obj == nil {
		t.Fatalf("Stat(%q) returned a nil Object and no error", key)
	}
	if obj.Key != "" && obj.Key != key {
		t.Errorf("Stat(%q): Object.Key = %q", key, obj.Key)
	}
	checkObject(t, "Stat", obj, data, opts)
	return obj
}

// requireNotFound checks that Stat of key fails with ErrNotFound.
func (f *fixture) requireNotFound(t *testing.T, key string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(f.ctx), 30*time.Second)
	defer cancel()
	obj, err := f.p.Stat(ctx, key)
	if !errors.Is(err, mediastore.ErrNotFound) {
		t.Fatalf("Stat(%q) = %+v, %v; want an ErrNotFound error", key, obj, err)
	}
}

// url returns the provider's URL of key.
func (f *fixture) url(t *testing.T, key string, signed bool) string {
	t.Helper()
	u, err := f.p.URL(f.ctx, key, &mediastore.URLOptions{Expiry: 15 * time.Minute, Signed: signed})
	if err != nil {
		t.Fatalf("URL(%q, Signed=%t): %v", key, signed, err)
	}
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		t.Fatalf("URL(%q) = %q, want an http(s) URL", key, u)
	}
	return u
}

// get fetches u and returns the status and body.
func (f *fixture) get(t *testing.T, u string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(f.ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", u, err)
	}
	return resp.StatusCode, body
}

// download fetches u and checks that it serves exactly want.
func (f *fixture) download(t *testing.T, u string, want []byte) {
	t.Helper()
	code, body := f.get(t, u)
	if code != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200; body %.200q", u, code, body)
	}
	if !bytes.Equal(body, want) {
		t.Fatalf("GET %s: got %d bytes (sha256 %s), want %d bytes (sha256 %s)", u, len(body), sha256Hex(body)[:12], len(want), sha256Hex(want)[:12])
	}
}

// missingKey returns a key that holds nothing: one never used, or, for
// providers that assign keys, one that was put and then deleted.
func (f *fixture) missingKey(t *testing.T) string {
	t.Helper()
	if !f.opts.AssignsKeys {
		return f.key("never-put.txt")
	}
	obj := f.put(t, f.key("deleted.txt"), []byte("soon gone"), textOpts(9))
	if err := f.p.Delete(f.ctx, obj.Key); err != nil {
		t.Fatalf("Delete(%q): %v", obj.Key, err)
	}
	return obj.Key
}

// content returns n deterministic bytes that differ for each label.
func content(label string, n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%s line %d\n", label, i)
	}
	return b.Bytes()[:n]
}

func textOpts(size int64) *mediastore.PutOptions {
	return &mediastore.PutOptions{Size: size, ContentType: "text/plain; charset=utf-8", ResourceType: "raw", Filename: "file.txt"}
}

func binOpts(size int64) *mediastore.PutOptions {
	return &mediastore.PutOptions{Size: size, ContentType: "application/octet-stream", ResourceType: "raw", Filename: "file.bin"}
}
