package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/mediastore/mediastore/examples/internal/examplerun"
	"github.com/mediastore/mediastore/internal/fakes/uploadcarefake"
)

// The example is tested from the outside, as the contract is checked: the
// built binary, configured through its environment, against the fake
// Uploadcare and a database of its own.

func TestMain(m *testing.M) { examplerun.Main(m) }

type testBundle struct {
	fake *uploadcarefake.Server
	db   string
}

// setup starts the example against a fresh fake and database; extra adds
// variables. The CDN is the fake's unless noCDN is set.
func setup(t *testing.T, noCDN bool, extra ...string) (*examplerun.Server, *testBundle) {
	t.Helper()
	bin := examplerun.Build(t, ".")
	fake := uploadcarefake.Start(t, uploadcarefake.Options{})
	db := examplerun.Database(t)
	env := []string{
		"DATABASE_URL=" + db,
		"UPLOADCARE_PUBLIC_KEY=" + fake.PublicKey(), "UPLOADCARE_SECRET_KEY=" + fake.SecretKey(),
		"UPLOADCARE_UPLOAD_BASE_URL=" + fake.UploadURL, "UPLOADCARE_API_BASE_URL=" + fake.APIURL,
	}
	if !noCDN {
		env = append(env, "UPLOADCARE_CDN_BASE_URL="+fake.CDNURL)
	}
	return examplerun.Start(t, bin, append(env, extra...)), &testBundle{fake: fake, db: db}
}

// pngOf is a PNG of w×h noisy pixels (so that it does not compress away).
func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(uint64(w), uint64(h)))
	for i := range img.Pix {
		img.Pix[i] = byte(r.Uint32())
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

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

func obj(m map[string]any, k string) map[string]any {
	o, _ := m[k].(map[string]any)
	return o
}

// upload posts the guide's form: fields (fileName, size) then the file.
func upload(t *testing.T, srv *examplerun.Server, user string, fields [][2]string, name string, data []byte) (int, map[string]any) {
	t.Helper()
	form, ctype := examplerun.Form(fields, "file", name, "", data)
	return srv.Do(t, http.MethodPost, "/upload", user, form, ctype)
}

func wantFile(t *testing.T, f map[string]any) {
	t.Helper()
	for _, k := range []string{"id", "provider", "key", "url", "resource_type", "content_type", "size", "user_id", "created_at"} {
		if _, ok := f[k]; !ok {
			t.Errorf("FILE without %q: %v", k, f)
		}
	}
}

func wantError(t *testing.T, what string, status int, body map[string]any, want int) {
	t.Helper()
	if status != want || body["success"] != false || str(body, "error") == "" {
		t.Errorf("%s: %d %v, want %d with {success: false, error}", what, status, body, want)
	}
}

// wantNothingStored checks that the fake holds no stored file.
func wantNothingStored(t *testing.T, fake *uploadcarefake.Server) {
	t.Helper()
	for _, f := range fake.Files() {
		if f.Stored {
			t.Errorf("a refused upload left a stored file: %+v", f)
		}
	}
}

// The guide's flow, then the endpoints that come next.
func TestGuideFlow(t *testing.T) {
	t.Parallel()
	srv, b := setup(t, false)
	img := pngOf(t, 10, 6)

	// No X-User-ID: the guide's placeholder user_123.
	status, body := upload(t, srv, "", [][2]string{{"fileName", "holiday photo.png"}}, "blob", img)
	if status != http.StatusOK || body["success"] != true {
		t.Fatalf("upload: %d %v", status, body)
	}
	f := obj(body, "file")
	wantFile(t, f)
	uuid := str(f, "key")
	fu, ok := b.fake.File(uuid)
	if !ok || !fu.Stored || fu.Size != int64(len(img)) || fu.OriginalFilename != "holiday-photo.png" {
		t.Errorf("at Uploadcare: %+v %v", fu, ok)
	}
	if str(f, "provider") != "uploadcare" || str(f, "user_id") != "user_123" || str(f, "resource_type") != "image" ||
		str(f, "content_type") != "image/png" || str(f, "size") != strconv.Itoa(len(img)) || str(f, "status") != "ready" ||
		!strings.HasPrefix(str(body, "fileUrl"), b.fake.CDNURL+"/"+uuid+"/") {
		t.Errorf("uploaded: %v", body)
	}
	if st, got := examplerun.Get(t, str(body, "fileUrl")); st != http.StatusOK || !bytes.Equal(got, img) {
		t.Errorf("GET fileUrl: %d, %d bytes", st, len(got))
	}
	id := str(f, "id")

	status, list := srv.Do(t, http.MethodGet, "/files", "user_123", nil, "")
	files, _ := list["files"].([]any)
	if status != http.StatusOK || list["success"] != true || len(files) != 1 || str(list, "next_cursor") != "" {
		t.Fatalf("list: %d %v", status, list)
	}
	status, one := srv.Do(t, http.MethodGet, "/files/"+id, "user_123", nil, "")
	if status != http.StatusOK || str(obj(one, "file"), "key") != uuid {
		t.Errorf("get: %d %v", status, one)
	}
	status, u := srv.Do(t, http.MethodGet, "/files/"+id+"/url", "user_123", nil, "")
	if status != http.StatusOK || u["success"] != true {
		t.Fatalf("url: %d %v", status, u)
	}
	if st, got := examplerun.Get(t, str(u, "url")); st != http.StatusOK || !bytes.Equal(got, img) {
		t.Errorf("GET %s: %d, %d bytes", str(u, "url"), st, len(got))
	}
	status, del := srv.Do(t, http.MethodDelete, "/files/"+id, "user_123", nil, "")
	if status != http.StatusOK || del["success"] != true {
		t.Errorf("delete: %d %v", status, del)
	}
	if fu, _ := b.fake.File(uuid); !fu.Removed {
		t.Errorf("the file is still at Uploadcare: %+v", fu)
	}
	status, del = srv.Do(t, http.MethodDelete, "/files/"+id, "user_123", nil, "")
	wantError(t, "second delete", status, del, http.StatusNotFound)
	if n := examplerun.Rows(t, b.db, ""); n != 0 {
		t.Errorf("%d rows left after the delete", n)
	}
}

// Files of 10 MB and more go through Uploadcare's multipart API: streamed
// when the request states the size, through a temporary file (removed)
// when it does not. A size that turns out wrong is a 400 and nothing is
// kept.
func TestLargeUploads(t *testing.T) {
	t.Parallel()
	srv, b := setup(t, false)
	data := append(pngOf(t, 8, 8), bytes.Repeat([]byte("mediastore"), 1_200_000)...) // 12 MB
	size := strconv.Itoa(len(data))
	for _, tc := range []struct {
		name   string
		fields [][2]string
	}{
		{"WithSize", [][2]string{{"fileName", "big.png"}, {"size", size}}},
		{"WithoutSize", [][2]string{{"fileName", "big.png"}}},
	} {
		status, body := upload(t, srv, "alice", tc.fields, "big.png", data)
		if status != http.StatusOK {
			t.Fatalf("%s: %d %v", tc.name, status, body)
		}
		fu, _ := b.fake.File(str(obj(body, "file"), "key"))
		if !fu.Multipart || !fu.Stored || fu.Size != int64(len(data)) {
			t.Errorf("%s: at Uploadcare %+v", tc.name, fu)
		}
		if c, _ := b.fake.Content(fu.UUID); !bytes.Equal(c, data) {
			t.Errorf("%s: Uploadcare holds %d other bytes", tc.name, len(c))
		}
		if left, _ := os.ReadDir(srv.TempDir); len(left) != 0 {
			t.Errorf("%s: temporary files left: %v", tc.name, left)
		}
	}
	if n := examplerun.Rows(t, b.db, "ready"); n != 2 {
		t.Errorf("%d ready rows, want 2", n)
	}

	for _, tc := range []struct {
		name string
		size int
		data []byte
	}{
		{"LargeShort", len(data) + 1, data},
		{"LargeLong", len(data) - 1, data},
		{"SmallLong", 100, data[:200]},
		{"SmallShort", 300, data[:200]},
	} {
		status, body := upload(t, srv, "bob", [][2]string{{"size", strconv.Itoa(tc.size)}}, "wrong.png", tc.data)
		wantError(t, tc.name, status, body, http.StatusBadRequest)
	}
	status, list := srv.Do(t, http.MethodGet, "/files", "bob", nil, "")
	if files, _ := list["files"].([]any); status != http.StatusOK || len(files) != 0 {
		t.Errorf("bob's files after wrong sizes: %v", list)
	}
	if n := examplerun.Rows(t, b.db, ""); n != 2 {
		t.Errorf("%d rows after the wrong sizes, want alice's 2", n)
	}
	stored := 0
	for _, f := range b.fake.Files() {
		if f.Stored {
			stored++
		}
	}
	if stored != 2 {
		t.Errorf("%d stored files at Uploadcare, want alice's 2", stored)
	}
}

// Two users never see each other's files.
func TestTwoUsers(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t, false)
	status, body := upload(t, srv, "alice", nil, "a.png", pngOf(t, 3, 3))
	if status != http.StatusOK {
		t.Fatalf("upload: %d %v", status, body)
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
	status, one := srv.Do(t, http.MethodGet, "/files/"+id, "alice", nil, "")
	if status != http.StatusOK || str(obj(one, "file"), "id") != id {
		t.Errorf("alice's file after bob's attempts: %d %v", status, one)
	}
}

// Size and type are judged from the bytes, never the client's claim.
func TestLimits(t *testing.T) {
	t.Parallel()
	srv, b := setup(t, false, "MEDIASTORE_MAX_SIZE=2000", "MEDIASTORE_ALLOWED_TYPES=image/*")
	big := pngOf(t, 40, 40)
	status, body := upload(t, srv, "alice", nil, "big.png", big)
	wantError(t, "too large", status, body, http.StatusRequestEntityTooLarge)
	status, body = upload(t, srv, "alice", [][2]string{{"fileName", "fake.png"}}, "fake.png", []byte("text that calls itself a PNG\n"))
	wantError(t, "type not allowed", status, body, http.StatusUnsupportedMediaType)
	status, body = upload(t, srv, "alice", nil, "", nil)
	wantError(t, "empty file", status, body, http.StatusBadRequest)
	status, body = srv.Do(t, http.MethodPost, "/upload", "alice", strings.NewReader("file=x"), "application/x-www-form-urlencoded")
	wantError(t, "not multipart", status, body, http.StatusUnsupportedMediaType)
	if n := examplerun.Rows(t, b.db, ""); n != 0 {
		t.Errorf("refused uploads left %d rows", n)
	}
	wantNothingStored(t, b.fake)
}

// Without UPLOADCARE_CDN_BASE_URL the URLs are on the contract's default,
// https://ucarecdn.com.
func TestDefaultCDN(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t, true)
	status, body := upload(t, srv, "alice", nil, "a.png", pngOf(t, 2, 2))
	if uuid := str(obj(body, "file"), "key"); status != http.StatusOK || !strings.HasPrefix(str(body, "fileUrl"), "https://ucarecdn.com/"+uuid+"/") {
		t.Errorf("upload: %d %v", status, body)
	}
}

// A missing variable or an unusable database: exit status 2 and one line.
func TestExitStatus(t *testing.T) {
	t.Parallel()
	bin := examplerun.Build(t, ".")
	keys := []string{"UPLOADCARE_PUBLIC_KEY=demopublickey", "UPLOADCARE_SECRET_KEY=s3cr3t-value"}
	unreachable := "DATABASE_URL=postgres://nobody@127.0.0.1:1/none?connect_timeout=5"
	for _, tc := range []struct {
		name        string
		env         []string
		want, never []string
	}{
		{"Nothing", nil, []string{"DATABASE_URL", "UPLOADCARE_PUBLIC_KEY", "UPLOADCARE_SECRET_KEY"}, nil},
		{"NoSecret", []string{unreachable, "UPLOADCARE_PUBLIC_KEY=demopublickey"}, []string{"UPLOADCARE_SECRET_KEY"},
			[]string{"DATABASE_URL", "UPLOADCARE_PUBLIC_KEY"}},
		{"NoDatabase", keys, []string{"DATABASE_URL"}, []string{"UPLOADCARE_", "s3cr3t"}},
		{"UnreachableDatabase", append([]string{unreachable}, keys...), []string{"DATABASE_URL", "unreachable"}, []string{"s3cr3t", "panic"}},
		{"BadBaseURL", append([]string{unreachable, "UPLOADCARE_API_BASE_URL=ftp://x"}, keys...), []string{"APIBaseURL"}, []string{"s3cr3t"}},
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
