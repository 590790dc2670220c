package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/mediastore/mediastore/examples/internal/examplerun"
	"github.com/mediastore/mediastore/internal/fakes/cloudinaryfake"
)

// The example is tested from the outside, as the contract is checked: the
// built binary, configured through its environment, against the fake
// Cloudinary and a database of its own.

func TestMain(m *testing.M) { examplerun.Main(m) }

type testBundle struct {
	fake *cloudinaryfake.Server
	db   string
}

// setup starts the example against a fresh fake and database; extra adds
// variables (limits).
func setup(t *testing.T, extra ...string) (*examplerun.Server, *testBundle) {
	t.Helper()
	bin := examplerun.Build(t, ".")
	fake := cloudinaryfake.Start(t, nil)
	o := fake.Options()
	db := examplerun.Database(t)
	env := append([]string{
		"DATABASE_URL=" + db,
		"CLOUDINARY_CLOUD_NAME=" + o.CloudName, "CLOUDINARY_API_KEY=" + o.APIKey, "CLOUDINARY_API_SECRET=" + o.APISecret,
		"CLOUDINARY_API_BASE_URL=" + fake.URL, "CLOUDINARY_DELIVERY_BASE_URL=" + fake.URL,
	}, extra...)
	return examplerun.Start(t, bin, env), &testBundle{fake: fake, db: db}
}

// pngOf is a PNG of w×h noisy pixels (so that it does not compress away).
func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(uint64(w), uint64(h)))
	for i := range img.Pix {
		img.Pix[i] = byte(r.Uint32())
	}
	img.Set(0, 0, color.White)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// str reads a string or number field of a JSON object.
func str(m map[string]any, k string) string {
	switch v := m[k].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// obj reads an object field of a JSON object.
func obj(m map[string]any, k string) map[string]any {
	o, _ := m[k].(map[string]any)
	return o
}

// signature asks GET /generate-signature as user.
func signature(t *testing.T, srv *examplerun.Server, user, query string) map[string]any {
	t.Helper()
	status, body := srv.Do(t, http.MethodGet, "/generate-signature"+query, user, nil, "")
	if status != http.StatusOK || body["success"] != true {
		t.Fatalf("generate-signature: %d %v", status, body)
	}
	return body
}

// browserUpload posts the file to upload_url with every param, as the
// guide's browser code does, and returns Cloudinary's answer.
func browserUpload(t *testing.T, sig map[string]any, name string, data []byte) map[string]any {
	t.Helper()
	var fields [][2]string
	for k, v := range obj(sig, "params") {
		fields = append(fields, [2]string{k, v.(string)})
	}
	body, ctype := examplerun.Form(fields, "file", name, "", data)
	req, _ := http.NewRequest(http.MethodPost, str(sig, "upload_url"), body)
	req.Header.Set("Content-Type", ctype)
	status, resp := examplerun.Send(t, req)
	if status != http.StatusOK {
		t.Fatalf("upload to Cloudinary: %d %v", status, resp)
	}
	return resp
}

// metadata is the guide's save-metadata body from Cloudinary's answer.
func metadata(resp map[string]any) map[string]any {
	return map[string]any{
		"public_id": resp["public_id"], "secure_url": resp["secure_url"], "resource_type": resp["resource_type"],
		"version": resp["version"], "signature": resp["signature"],
	}
}

// wantFile checks that f has every FILE field of the contract.
func wantFile(t *testing.T, f map[string]any) {
	t.Helper()
	for _, k := range []string{"id", "provider", "key", "url", "resource_type", "content_type", "size", "user_id", "created_at"} {
		if _, ok := f[k]; !ok {
			t.Errorf("FILE without %q: %v", k, f)
		}
	}
}

// wantError checks a failure's status and envelope.
func wantError(t *testing.T, what string, status int, body map[string]any, want int) {
	t.Helper()
	if status != want || body["success"] != false || str(body, "error") == "" {
		t.Errorf("%s: %d %v, want %d with {success: false, error}", what, status, body, want)
	}
}

// The guide's flow, then the endpoints that come next.
func TestGuideFlow(t *testing.T) {
	t.Parallel()
	srv, b := setup(t)
	o := b.fake.Options()
	img := pngOf(t, 9, 4)

	// No X-User-ID: the guide's placeholder user_123.
	sig := signature(t, srv, "", "")
	params := obj(sig, "params")
	if str(sig, "api_key") != o.APIKey || str(sig, "cloud_name") != o.CloudName || str(sig, "upload_url") != b.fake.URL+"/v1_1/fakecloud/auto/upload" ||
		str(sig, "timestamp") == "" || str(sig, "signature") == "" || str(params, "signature") != str(sig, "signature") ||
		str(params, "timestamp") != str(sig, "timestamp") || str(params, "api_key") != o.APIKey || !strings.HasPrefix(str(params, "public_id"), "user_123/") {
		t.Fatalf("generate-signature: %v", sig)
	}
	if js, _ := json.Marshal(sig); bytes.Contains(js, []byte(o.APISecret)) {
		t.Fatal("the signature response holds the API secret")
	}
	resp := browserUpload(t, sig, "photo.png", img)
	save := metadata(resp)
	save["secure_url"] = "https://evil.example/not-the-file.png"
	status, body := srv.JSON(t, http.MethodPost, "/save-metadata", "user_123", save)
	if status != http.StatusOK || body["success"] != true {
		t.Fatalf("save-metadata: %d %v", status, body)
	}
	f := obj(body, "file")
	wantFile(t, f)
	if str(f, "provider") != "cloudinary" || str(f, "key") != "image/upload/"+str(resp, "public_id") || str(f, "url") != str(resp, "secure_url") ||
		str(f, "resource_type") != "image" || str(f, "content_type") != "image/png" || str(f, "size") != fmt.Sprint(len(img)) ||
		str(f, "user_id") != "user_123" || str(f, "status") != "ready" {
		t.Errorf("saved file %v, want Cloudinary's values %v", f, resp)
	}
	id := str(f, "id")

	// Server-side upload: a stream of unknown size goes chunked.
	cat := pngOf(t, 12, 12)
	form, ctype := examplerun.Form([][2]string{{"fileName", "cat.png"}}, "file", "cat.png", "image/png", cat)
	status, up := srv.Do(t, http.MethodPost, "/upload", "", form, ctype)
	if status != http.StatusOK || up["success"] != true {
		t.Fatalf("upload: %d %v", status, up)
	}
	uf := obj(up, "file")
	wantFile(t, uf)
	if st, got := examplerun.Get(t, str(up, "fileUrl")); st != http.StatusOK || !bytes.Equal(got, cat) || str(uf, "size") != fmt.Sprint(len(cat)) {
		t.Errorf("GET fileUrl %s: %d, %d bytes; file %v", str(up, "fileUrl"), st, len(got), uf)
	}

	// A large stream of unknown size (curl -F sends no size) goes through
	// Cloudinary's chunked upload, in parts of 20 MB.
	large := append(pngOf(t, 8, 8), bytes.Repeat([]byte("mediastore"), 2_100_000)...)
	form, ctype = examplerun.Form(nil, "file", "large.png", "image/png", large)
	status, lg := srv.Do(t, http.MethodPost, "/upload", "", form, ctype)
	if status != http.StatusOK || str(obj(lg, "file"), "size") != fmt.Sprint(len(large)) {
		t.Fatalf("large upload: %d %v", status, lg)
	}
	var ranges []string
	for _, e := range b.fake.Log() {
		if e.UploadID != "" {
			ranges = append(ranges, e.ContentRange)
		}
	}
	if want := []string{"bytes 0-19999999/-1", fmt.Sprintf("bytes 20000000-%d/%d", len(large)-1, len(large))}; !slices.Equal(ranges, want) {
		t.Errorf("chunked upload parts %q, want %q", ranges, want)
	}

	// List, one file, URL, delete.
	status, list := srv.Do(t, http.MethodGet, "/files?limit=2", "user_123", nil, "")
	files, _ := list["files"].([]any)
	if status != http.StatusOK || list["success"] != true || len(files) != 2 || str(list, "next_cursor") == "" {
		t.Fatalf("list page 1: %d %v", status, list)
	}
	status, list2 := srv.Do(t, http.MethodGet, "/files?limit=2&cursor="+url.QueryEscape(str(list, "next_cursor")), "user_123", nil, "")
	files2, _ := list2["files"].([]any)
	if status != http.StatusOK || len(files2) != 1 || str(list2, "next_cursor") != "" ||
		str(files2[0].(map[string]any), "id") != id {
		t.Fatalf("list page 2 (the oldest file): %d %v", status, list2)
	}
	status, one := srv.Do(t, http.MethodGet, "/files/"+id, "user_123", nil, "")
	if status != http.StatusOK || str(obj(one, "file"), "key") != str(f, "key") {
		t.Errorf("get: %d %v", status, one)
	}
	status, u := srv.Do(t, http.MethodGet, "/files/"+id+"/url", "user_123", nil, "")
	if status != http.StatusOK || u["success"] != true {
		t.Fatalf("url: %d %v", status, u)
	}
	if st, got := examplerun.Get(t, str(u, "url")); st != http.StatusOK || !bytes.Equal(got, img) {
		t.Errorf("GET %s: %d, %d bytes", str(u, "url"), st, len(got))
	}
	for _, fid := range []string{id, str(uf, "id"), str(obj(lg, "file"), "id")} {
		status, del := srv.Do(t, http.MethodDelete, "/files/"+fid, "user_123", nil, "")
		if status != http.StatusOK || del["success"] != true || len(del) != 1 {
			t.Errorf("delete: %d %v", status, del)
		}
	}
	if n := b.fake.Len(); n != 0 {
		t.Errorf("%d assets left at Cloudinary after the deletes", n)
	}
	status, del := srv.Do(t, http.MethodDelete, "/files/"+id, "user_123", nil, "")
	wantError(t, "second delete", status, del, http.StatusNotFound)
	if n := examplerun.Rows(t, b.db, ""); n != 0 {
		t.Errorf("%d rows left after the deletes", n)
	}
}

// Two users never see each other's files.
func TestTwoUsers(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t)
	resp := browserUpload(t, signature(t, srv, "alice", ""), "a.png", pngOf(t, 3, 3))
	status, body := srv.JSON(t, http.MethodPost, "/save-metadata", "alice", metadata(resp))
	if status != http.StatusOK {
		t.Fatalf("save-metadata: %d %v", status, body)
	}
	id := str(obj(body, "file"), "id")

	status, list := srv.Do(t, http.MethodGet, "/files", "bob", nil, "")
	if files, _ := list["files"].([]any); status != http.StatusOK || len(files) != 0 {
		t.Errorf("bob's list: %d %v", status, list)
	}
	for _, req := range []struct{ method, path string }{
		{http.MethodGet, "/files/" + id}, {http.MethodGet, "/files/" + id + "/url"}, {http.MethodDelete, "/files/" + id},
	} {
		status, body := srv.Do(t, req.method, req.path, "bob", nil, "")
		wantError(t, "bob: "+req.method+" "+req.path, status, body, http.StatusNotFound)
	}
	status, body = srv.JSON(t, http.MethodPost, "/save-metadata", "bob", metadata(resp))
	wantError(t, "bob saves alice's upload", status, body, http.StatusForbidden)
	status, list = srv.Do(t, http.MethodGet, "/files", "alice", nil, "")
	if files, _ := list["files"].([]any); status != http.StatusOK || len(files) != 1 {
		t.Errorf("alice's list: %d %v", status, list)
	}
}

// The contract's "must refuse" list for save-metadata, with the default
// limits.
func TestSaveMetadataRefusals(t *testing.T) {
	t.Parallel()
	srv, b := setup(t)
	o := b.fake.Options()

	// A public id this server never issued.
	status, body := srv.JSON(t, http.MethodPost, "/save-metadata", "alice", map[string]any{"public_id": "alice/made-up", "resource_type": "image"})
	wantError(t, "public id not issued", status, body, http.StatusForbidden)
	if n := examplerun.Rows(t, b.db, ""); n != 0 {
		t.Errorf("a refused save-metadata wrote %d rows", n)
	}

	// Issued to another user: refused, and the owner's intent is intact.
	bobs := browserUpload(t, signature(t, srv, "bob", ""), "b.png", pngOf(t, 4, 4))
	status, body = srv.JSON(t, http.MethodPost, "/save-metadata", "alice", metadata(bobs))
	wantError(t, "public id issued to another user", status, body, http.StatusForbidden)
	if r, p := examplerun.Rows(t, b.db, "ready"), examplerun.Rows(t, b.db, "pending"); r != 0 || p != 1 {
		t.Errorf("after the refusal: %d ready, %d pending rows, want 0 and 1", r, p)
	}

	// A forged response signature: refused, nothing recorded; the real
	// one still works.
	forged := metadata(bobs)
	forged["signature"] = strings.Repeat("0", 40)
	status, body = srv.JSON(t, http.MethodPost, "/save-metadata", "bob", forged)
	wantError(t, "forged signature", status, body, http.StatusForbidden)
	if r := examplerun.Rows(t, b.db, "ready"); r != 0 {
		t.Errorf("a forged signature recorded %d rows", r)
	}
	status, body = srv.JSON(t, http.MethodPost, "/save-metadata", "bob", metadata(bobs))
	if status != http.StatusOK {
		t.Fatalf("bob's own save-metadata: %d %v", status, body)
	}

	// Already recorded: a conflict, nothing written.
	status, body = srv.JSON(t, http.MethodPost, "/save-metadata", "bob", metadata(bobs))
	wantError(t, "already recorded", status, body, http.StatusConflict)
	if r := examplerun.Rows(t, b.db, ""); r != 1 {
		t.Errorf("%d rows after the replay, want 1", r)
	}

	// Never uploaded: Cloudinary has no such resource, with or without a
	// (rightly computed) signature.
	sig := signature(t, srv, "alice", "")
	pid := str(obj(sig, "params"), "public_id")
	status, body = srv.JSON(t, http.MethodPost, "/save-metadata", "alice", map[string]any{"public_id": pid, "resource_type": "image"})
	wantError(t, "never uploaded", status, body, http.StatusNotFound)
	signed := map[string]any{"public_id": pid, "resource_type": "image", "version": 1700000000,
		"signature": cloudinaryfake.ResponseSignature(pid, 1700000000, o.APISecret, o.SignatureAlgorithm)}
	status, body = srv.JSON(t, http.MethodPost, "/save-metadata", "alice", signed)
	wantError(t, "never uploaded, signed", status, body, http.StatusNotFound)
	if r := examplerun.Rows(t, b.db, "ready"); r != 1 {
		t.Errorf("%d ready rows, want bob's only", r)
	}

	// Bad input.
	status, body = srv.JSON(t, http.MethodPost, "/save-metadata", "alice", map[string]any{"secure_url": "https://x"})
	wantError(t, "no public_id", status, body, http.StatusBadRequest)
	status, body = srv.Do(t, http.MethodPost, "/save-metadata", "alice", strings.NewReader("{"), "application/json")
	wantError(t, "bad JSON", status, body, http.StatusBadRequest)
}

// Size and type are judged from what Cloudinary reports; an asset outside
// the limits is destroyed and nothing is recorded.
func TestSaveMetadataLimits(t *testing.T) {
	t.Parallel()
	srv, b := setup(t, "MEDIASTORE_MAX_SIZE=2000", "MEDIASTORE_ALLOWED_TYPES=image/*")

	big := pngOf(t, 40, 40)
	if len(big) <= 2000 {
		t.Fatalf("test image of %d bytes is not over the limit", len(big))
	}
	resp := browserUpload(t, signature(t, srv, "alice", ""), "big.png", big)
	status, body := srv.JSON(t, http.MethodPost, "/save-metadata", "alice", metadata(resp))
	wantError(t, "too large", status, body, http.StatusRequestEntityTooLarge)
	if _, ok := b.fake.Asset("image", "upload", str(resp, "public_id")); ok {
		t.Error("the too large asset was not destroyed")
	}

	// The client claims an image; Cloudinary stored a raw text file.
	resp = browserUpload(t, signature(t, srv, "alice", ""), "fake.png", []byte("just text, whatever the name says\n"))
	save := metadata(resp)
	status, body = srv.JSON(t, http.MethodPost, "/save-metadata", "alice", save)
	wantError(t, "type not allowed", status, body, http.StatusUnsupportedMediaType)
	if str(resp, "resource_type") != "raw" {
		t.Errorf("the fake stored %v", resp)
	}
	if _, ok := b.fake.Asset("raw", "upload", str(resp, "public_id")); ok {
		t.Error("the asset of a refused type was not destroyed")
	}
	if n := examplerun.Rows(t, b.db, ""); n != 0 {
		t.Errorf("refused uploads left %d rows", n)
	}

	// The declared type is checked before any signature is given, and
	// the server-side upload judges the bytes too.
	status, body = srv.Do(t, http.MethodGet, "/generate-signature?content_type=text/plain", "alice", nil, "")
	wantError(t, "declared type not allowed", status, body, http.StatusUnsupportedMediaType)
	form, ctype := examplerun.Form(nil, "file", "x.png", "image/png", []byte("not a png at all"))
	status, body = srv.Do(t, http.MethodPost, "/upload", "alice", form, ctype)
	wantError(t, "server-side upload of text", status, body, http.StatusUnsupportedMediaType)
	form, ctype = examplerun.Form(nil, "file", "big.png", "image/png", big)
	status, body = srv.Do(t, http.MethodPost, "/upload", "alice", form, ctype)
	wantError(t, "server-side upload too large", status, body, http.StatusRequestEntityTooLarge)
	if n := b.fake.Len(); n != 0 {
		t.Errorf("%d assets left at Cloudinary", n)
	}
}

// A missing variable or an unusable database: exit status 2 and one line.
func TestExitStatus(t *testing.T) {
	t.Parallel()
	bin := examplerun.Build(t, ".")
	cld := []string{"CLOUDINARY_CLOUD_NAME=demo", "CLOUDINARY_API_KEY=123", "CLOUDINARY_API_SECRET=s3cr3t-value"}
	unreachable := "DATABASE_URL=postgres://nobody@127.0.0.1:1/none?connect_timeout=5"
	for _, tc := range []struct {
		name        string
		env         []string
		want, never []string
	}{
		{"Nothing", nil, []string{"DATABASE_URL", "CLOUDINARY_CLOUD_NAME", "CLOUDINARY_API_KEY", "CLOUDINARY_API_SECRET", "CLOUDINARY_URL"}, nil},
		{"NoSecret", []string{unreachable, "CLOUDINARY_CLOUD_NAME=demo", "CLOUDINARY_API_KEY=123"}, []string{"CLOUDINARY_API_SECRET"},
			[]string{"DATABASE_URL", "CLOUDINARY_API_KEY,", "CLOUDINARY_CLOUD_NAME"}},
		{"NoDatabase", cld, []string{"DATABASE_URL"}, []string{"CLOUDINARY_API_SECRET", "s3cr3t"}},
		{"UnreachableDatabase", append([]string{unreachable}, cld...), []string{"DATABASE_URL", "unreachable"}, []string{"s3cr3t", "panic"}},
		{"CloudinaryURL", []string{unreachable, "CLOUDINARY_URL=cloudinary://123:s3cr3t-value@demo"}, []string{"DATABASE_URL"}, []string{"s3cr3t", "CLOUDINARY_API_KEY"}},
		{"BadCloudinaryURL", []string{unreachable, "CLOUDINARY_URL=https://123:s3cr3t-value@demo"}, []string{"CLOUDINARY_URL"}, []string{"s3cr3t"}},
		{"BadMaxSize", append([]string{unreachable, "MEDIASTORE_MAX_SIZE=lots"}, cld...), []string{"MEDIASTORE_MAX_SIZE"}, []string{"s3cr3t"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := examplerun.Run(t, bin, tc.env)
			if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
				t.Fatalf("exit %d, stdout %q, stderr %q; want 2 and one line", code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not name %s", stderr, w)
				}
			}
			for _, n := range tc.never {
				if strings.Contains(stderr, n) {
					t.Errorf("stderr %q contains %q", stderr, n)
				}
			}
		})
	}
}
