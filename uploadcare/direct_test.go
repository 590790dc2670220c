package uploadcare

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/fakes/uploadcarefake"
)

func directOpts() *mediastore.DirectOptions {
	return &mediastore.DirectOptions{ContentType: "text/plain", Size: -1, MaxSize: 1 << 20, Filename: "hi.txt", Expiry: 10 * time.Minute}
}

// uploadDirect prepares a ticket for key, executes it and returns the UUID
// of Uploadcare's answer.
func uploadDirect(t *testing.T, p *Provider, key string, data []byte) string {
	t.Helper()
	tk, err := p.PrepareDirect(t.Context(), key, directOpts())
	if err != nil {
		t.Fatalf("PrepareDirect: %v", err)
	}
	code, body := execTicket(t, tk, "hi.txt", data)
	if code != 200 {
		t.Fatalf("upload with the ticket: %d %s", code, body)
	}
	var res map[string]string
	if err := json.Unmarshal(body, &res); err != nil || !IsUUID(res["file"]) {
		t.Fatalf("upload answer %s", body)
	}
	return res["file"]
}

func TestPrepareDirectTicket(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_900_000_000, 0)
	p, b := setup(t, uploadcarefake.Options{SignedUploads: true}, nil)
	p.now = func() time.Time { return now }
	tk, err := p.PrepareDirect(t.Context(), "user_1/01d-hi.txt", directOpts())
	if err != nil {
		t.Fatal(err)
	}
	exp := now.Add(10 * time.Minute)
	want := map[string]string{
		"UPLOADCARE_PUB_KEY":       b.fake.PublicKey(),
		"UPLOADCARE_STORE":         "0",
		"metadata[mediastore_key]": "user_1/01d-hi.txt",
		"expire":                   strconv.FormatInt(exp.Unix(), 10),
		"signature":                SignUpload(b.fake.SecretKey(), exp.Unix()),
	}
	if tk.Method != "POST" || tk.URL != b.fake.UploadURL+"/base/" || tk.FileField != "file" || tk.Key != "user_1/01d-hi.txt" || !tk.ExpiresAt.Equal(exp) {
		t.Fatalf("ticket %+v", tk)
	}
	if len(tk.Fields) != len(want) {
		t.Errorf("fields %v, want %v", tk.Fields, want)
	}
	for k, v := range want {
		if tk.Fields[k] != v {
			t.Errorf("field %s = %q, want %q", k, tk.Fields[k], v)
		}
	}

	// The fake's clock is now; this ticket's signature expired long ago.
	p.now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	tk, err = p.PrepareDirect(t.Context(), "user_1/01d-old.txt", directOpts())
	if err != nil {
		t.Fatal(err)
	}
	if code, body := execTicket(t, tk, "old.txt", []byte("old")); code != 403 || string(body) != "Expired signature." {
		t.Fatalf("upload with an expired ticket: %d %q", code, body)
	}
	// A ticket with a tampered expiry.
	p.now = time.Now
	tk, _ = p.PrepareDirect(t.Context(), "user_1/01d-tamper.txt", directOpts())
	tk.Fields["expire"] = strconv.FormatInt(time.Now().Add(48*time.Hour).Unix(), 10)
	if code, body := execTicket(t, tk, "t.txt", []byte("t")); code != 403 || string(body) != "Invalid signature." {
		t.Fatalf("upload with a tampered ticket: %d %q", code, body)
	}
	delete(tk.Fields, "signature")
	if code, body := execTicket(t, tk, "t.txt", []byte("t")); code != 400 || string(body) != "`signature` is required." {
		t.Fatalf("upload without signature: %d %q", code, body)
	}
	if n := len(b.fake.Files()); n != 0 {
		t.Fatalf("refused uploads left %d files", n)
	}
}

func TestVerifyDirect(t *testing.T) {
	t.Parallel()
	p, b := setup(t, uploadcarefake.Options{}, nil)
	data := []byte("hello from the browser")
	uuid := uploadDirect(t, p, "user_1/01v-hi.txt", data)

	obj, err := p.VerifyDirect(t.Context(), "user_1/01v-hi.txt", map[string]string{"uuid": uuid})
	if err != nil {
		t.Fatalf("VerifyDirect: %v", err)
	}
	if obj.Key != uuid || obj.Size != int64(len(data)) || obj.ContentType == "" || obj.Extra["original_filename"] != "hi.txt" {
		t.Fatalf("VerifyDirect = %+v", obj)
	}
	// Uploadcare's own answer works as the proof too.
	if obj, err := p.VerifyDirect(t.Context(), "user_1/01v-hi.txt", map[string]string{"file": uuid}); err != nil || obj.Key != uuid {
		t.Fatalf("VerifyDirect with {file} = %+v, %v", obj, err)
	}
	// Still temporary: committing is the Client's call.
	if f, _ := b.fake.File(uuid); f.Stored {
		t.Fatal("VerifyDirect stored the file")
	}

	// The file was uploaded with another key's ticket.
	_, err = p.VerifyDirect(t.Context(), "user_2/01v-other.txt", map[string]string{"uuid": uuid})
	requireKind(t, err, mediastore.ErrForbidden)

	// A file uploaded without a ticket (no metadata).
	plain, err := p.Put(t.Context(), "", stringsReader("no ticket"), textPut(9))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.VerifyDirect(t.Context(), "user_1/01v-hi.txt", map[string]string{"uuid": plain.Key})
	requireKind(t, err, mediastore.ErrForbidden)

	for name, proof := range map[string]map[string]string{
		"NoProof":     {},
		"UnknownUUID": {"uuid": "22240276-2f06-41f8-9411-755c8ce926ed"},
	} {
		_, err := p.VerifyDirect(t.Context(), "user_1/01v-hi.txt", proof)
		if mediastore.KindOf(err) != mediastore.ErrNotFound {
			t.Errorf("%s: VerifyDirect = %v, want ErrNotFound", name, err)
		}
	}
	_, err = p.VerifyDirect(t.Context(), "user_1/01v-hi.txt", map[string]string{"uuid": "../../files"})
	requireKind(t, err, mediastore.ErrInvalid)

	// A deleted file is gone.
	if err := p.Delete(t.Context(), uuid); err != nil {
		t.Fatal(err)
	}
	_, err = p.VerifyDirect(t.Context(), "user_1/01v-hi.txt", map[string]string{"uuid": uuid})
	requireKind(t, err, mediastore.ErrNotFound)
}
