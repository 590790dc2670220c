package uploadcare

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/fakes/uploadcarefake"
)

// testSecureSecret is the secure delivery key of pyuploadcare's tests.
const testSecureSecret = "73636b61519adede42191efe1e73f02a67c7b692e3765f90c250c230be095211"

type testBundle struct {
	fake *uploadcarefake.Server
}

// setup starts a fake project with fo and returns a provider configured for
// it; mod, when not nil, adjusts the provider's Config first.
func setup(t *testing.T, fo uploadcarefake.Options, mod func(*Config)) (*Provider, *testBundle) {
	t.Helper()
	fake := uploadcarefake.Start(t, fo)
	cfg := Config{
		PublicKey:            fake.PublicKey(),
		SecretKey:            fake.SecretKey(),
		UploadBaseURL:        fake.UploadURL,
		APIBaseURL:           fake.APIURL,
		CDNBaseURL:           fake.CDNURL,
		SignedUploads:        fo.SignedUploads,
		SecureDeliverySecret: fo.SecureDeliverySecret,
	}
	if mod != nil {
		mod(&cfg)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p, &testBundle{fake: fake}
}

func textPut(n int64) *mediastore.PutOptions {
	return &mediastore.PutOptions{Size: n, ContentType: "text/plain", ResourceType: "raw", Filename: "note.txt"}
}

func mustPut(t *testing.T, p *Provider, key string, data []byte, opts *mediastore.PutOptions) *mediastore.Object {
	t.Helper()
	obj, err := p.Put(t.Context(), key, bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	return obj
}

// requireKind fails unless err matches kind.
func requireKind(t *testing.T, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("error = %v, want one matching %v", err, kind)
	}
}

// requireHTTP fails unless err carries an HTTPError with status and message.
func requireHTTP(t *testing.T, err error, status int, msg string) {
	t.Helper()
	var he *HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("error = %v, want an *HTTPError", err)
	}
	if he.Status != status || (msg != "" && he.Message != msg) {
		t.Fatalf("HTTPError = %d %q, want %d %q", he.Status, he.Message, status, msg)
	}
}

// execTicket sends data as a browser would with tk and returns the status
// and body of the answer.
func execTicket(t *testing.T, tk *mediastore.Ticket, name string, data []byte) (int, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range tk.Fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile(tk.FileField, name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequestWithContext(context.Background(), tk.Method, tk.URL, &b)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func stringsReader(s string) io.Reader { return bytes.NewReader([]byte(s)) }
