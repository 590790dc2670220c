package cloudinaryfake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudinary/cloudinary-go/v2"
	"github.com/cloudinary/cloudinary-go/v2/api"
	"github.com/cloudinary/cloudinary-go/v2/api/admin"
	"github.com/cloudinary/cloudinary-go/v2/api/uploader"
	"go.uber.org/goleak"

	"github.com/mediastore/mediastore/internal/fakes/cloudinaryfake"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The vectors of /work/shared/providers.md §1, §2 and §5, each from
// Cloudinary's documentation or an official SDK's tests.
func TestStringToSignVectors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		params  url.Values
		version int
		secret  string
		algo    string
		want    string
	}{
		{"A docs eager", url.Values{"eager": {"w_400,h_300,c_pad|w_260,h_200,c_crop"}, "public_id": {"sample_image"}, "timestamp": {"1315060510"}},
			2, "abcd", "sha1", "bfd09f95f331f558cbd1320e67aa8d488770583e"},
		{"B docs minimal", url.Values{"timestamp": {"1315060510"}}, 2, "abcd", "sha1", "a21ad0f63beb4de2e5575204b79ab90bffb02c10"},
		{"C pycld sha1", url.Values{"cloud_name": {"dn6ot3ged"}, "timestamp": {"1568810420"}, "username": {"user@cloudinary.com"}},
			2, "hdcixPpR2iKERPwqvH6sHdK9cyac", "sha1", "14c00ba6d0dfdedbc86b316847d95b9e6cd46d94"},
		{"D pycld sha256", url.Values{"cloud_name": {"dn6ot3ged"}, "timestamp": {"1568810420"}, "username": {"user@cloudinary.com"}},
			2, "hdcixPpR2iKERPwqvH6sHdK9cyac", "sha256", "45ddaa4fa01f0c2826f32f669d2e4514faf275fe6df053f1a150e7beae58a3bd"},
		{"E smuggling v2", url.Values{"cloud_name": {"dn6ot3ged"}, "notification_url": {"https://fake.com/callback?a=1&tags=hello,world"}, "timestamp": {"1568810420"}},
			2, "hdcixPpR2iKERPwqvH6sHdK9cyac", "sha1", "4fdf465dd89451cc1ed8ec5b3e314e8a51695704"},
		{"F smuggled v1", url.Values{"cloud_name": {"dn6ot3ged"}, "notification_url": {"https://fake.com/callback?a=1&tags=hello,world"}, "timestamp": {"1568810420"}},
			1, "hdcixPpR2iKERPwqvH6sHdK9cyac", "sha1", "7b4e3a539ff1fa6e6700c41b3a2ee77586a025f9"},
		{"G cld-go sha256", url.Values{"timestamp": {"123456789"}}, 2, "secret", "sha256", "06dbb2b05a8fdce468026e104596e6b8009dee3d08a6a62956ee7fef9aef8c74"},
		{"H cld-go upload, joined", url.Values{"context": {"alt=x"}, "overwrite": {"true"}, "public_id": {"folder/my id"}, "tags": {"a,b"}, "timestamp": {"1315060510"}},
			2, "secret", "sha1", "9af5e2cab9320b8f30b409ae592c2b8dcd95dcab"},
		{"H cld-go upload, array", url.Values{"context": {"alt=x"}, "overwrite": {"true"}, "public_id": {"folder/my id"}, "tags[0]": {"a"}, "tags[1]": {"b"}, "timestamp": {"1315060510"}},
			2, "secret", "sha1", "9af5e2cab9320b8f30b409ae592c2b8dcd95dcab"},
	} {
		got := cloudinaryfake.Sign(cloudinaryfake.StringToSign(tc.params, tc.version), tc.secret, tc.algo)
		if got != tc.want {
			t.Errorf("%s: signature %s, want %s (string to sign %q)", tc.name, got, tc.want, cloudinaryfake.StringToSign(tc.params, tc.version))
		}
	}
	// Vector H as cloudinary-go sends it: file, resource_type and api_key
	// are not signed, empty values are dropped.
	h := url.Values{"context": {"alt=x"}, "overwrite": {"true"}, "public_id": {"folder/my id"}, "tags": {"a,b"},
		"timestamp": {"1315060510"}, "file": {"x"}, "resource_type": {"image"}, "api_key": {"key"}, "folder": {""}}
	if got := cloudinaryfake.Sign(cloudinaryfake.UploadStringToSign(h), "secret", "sha1"); got != "9af5e2cab9320b8f30b409ae592c2b8dcd95dcab" {
		t.Errorf("UploadStringToSign H: %s", got)
	}
}

func TestResponseAndNotificationVectors(t *testing.T) {
	t.Parallel()
	const secret = "X7qLTrsES31MzxxkxPPA-pAGGfU"
	if got := cloudinaryfake.ResponseSignature("tests/logo.png", 1, secret, "sha1"); got != "08d3107a5b2ad82e7d82c0b972218fbf20b5b1e0" {
		t.Errorf("response sha1 %s", got)
	}
	if got := cloudinaryfake.ResponseSignature("tests/logo.png", 1, secret, "sha256"); got != "cc69ae4ed73303fbf4a55f2ae5fc7e34ad3a5c387724bfcde447a2957cacdfea" {
		t.Errorf("response sha256 %s", got)
	}
	body := `{"notification_type":"eager","eager":[{"transformation":"sp_full_hd/mp4","bytes":1055,"url":"http://res.cloudinary.com/demo/video/upload/sp_full_hd/v1533125278/dog.mp4","secure_url":"https://res.cloudinary.com/demo/video/upload/sp_full_hd/v1533125278/dog.mp4"}],"public_id":"dog","batch_id":"9b11fa058c61fa577f4ec516bf6ee756ac2aefef095af99aef1302142cc1694a"}`
	if got := cloudinaryfake.NotificationSignature([]byte(body), 1549533514, secret, "sha1"); got != "dfe82de1d9083fe0b7ea68070649f9a15b8874da" {
		t.Errorf("notification sha1 %s", got)
	}
	if got := cloudinaryfake.NotificationSignature([]byte("{}"), 0, "someApiSecret", "sha256"); got != "d5497e1a206ad0ba29ad09a7c0c5f22e939682d15009c15ab3199f62fefbd14b" {
		t.Errorf("notification sha256 %s", got)
	}
}

func TestDeliverySignatureVectors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		toSign string
		long   bool
		want   string
	}{
		{"c_crop,h_20,w_10/image.jpg", false, "s--Ai4Znfl3--"},
		{"image.jpg", false, "s----SjmNDA--"},
		{"sample.jpg", false, "s--v2fTPYTu--"},
		{"sample.jpg", true, "s--2hbrSMPOjj5BJ4xV7SgFbRDevFaQNUFf--"},
		{"sample", false, "s--k6qA1NWo--"},
	} {
		if got := cloudinaryfake.DeliverySignature(tc.toSign, "b", tc.long); got != tc.want {
			t.Errorf("DeliverySignature(%q, long %v) = %s, want %s", tc.toSign, tc.long, got, tc.want)
		}
	}
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sdkMu serializes cloudinary-go's constructors: config.NewFromQueryParams
// writes a package-level gorilla/schema decoder (a data race in v2.16.1
// when two run at once).
var sdkMu sync.Mutex

// sdk is cloudinary-go, the official SDK, pointed at the fake.
func sdk(t *testing.T, s *cloudinaryfake.Server, secret string) *cloudinary.Cloudinary {
	t.Helper()
	o := s.Options()
	sdkMu.Lock()
	cld, err := cloudinary.NewFromParams(o.CloudName, o.APIKey, secret)
	sdkMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	cld.Config.API.UploadPrefix = s.URL
	cld.Config.API.ChunkSize = 5 << 20
	cld.Config.URL.Analytics = false
	cld.Upload.Config = cld.Config
	cld.Admin.Config = cld.Config
	cld.Upload.Client = *s.Client()
	cld.Admin.Client = *s.Client()
	return cld
}

// The official SDK works against the fake: upload (auto/upload, fields in
// random order, resource_type unsigned), response signature, Admin API
// lookup with Basic auth, destroy without Content-Type.
func TestOfficialSDK(t *testing.T) {
	t.Parallel()
	s := cloudinaryfake.Start(t, nil)
	cld := sdk(t, s, s.Options().APISecret)
	ctx := context.Background()
	img := pngBytes(t, 3, 2)
	res, err := cld.Upload.Upload(ctx, bytes.NewReader(img), uploader.UploadParams{
		PublicID: "folder/my id", ResourceType: "image", Tags: []string{"a", "b"}, Context: map[string]string{"alt": "x"},
	})
	if err != nil || res.Error.Message != "" {
		t.Fatalf("Upload: %v %q", err, res.Error.Message)
	}
	if res.PublicID != "folder/my id" || res.ResourceType != "image" || res.Width != 3 || res.Height != 2 || res.Format != "png" || res.Bytes != len(img) {
		t.Fatalf("Upload result %+v", res)
	}
	if !cld.Upload.VerifyApiResponseSignature(res.PublicID, strconv.Itoa(res.Version), res.Signature) {
		t.Error("cloudinary-go does not accept the fake's response signature")
	}
	if e := s.Log()[0]; e.Path != "/v1_1/fakecloud/auto/upload" || !strings.HasPrefix(e.ContentType, "multipart/form-data") {
		t.Errorf("SDK request %+v", e)
	}
	a, err := cld.Admin.Asset(ctx, admin.AssetParams{PublicID: "folder/my id"})
	if err != nil || a.Error.Message != "" || a.Bytes != len(img) || a.Version != res.Version {
		t.Fatalf("Asset: %v %q %+v", err, a.Error.Message, a)
	}
	got, err := http.Get(res.SecureURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(body, img) {
		t.Errorf("delivery of %s: %d bytes, want the upload", res.SecureURL, len(body))
	}
	d, err := cld.Upload.Destroy(ctx, uploader.DestroyParams{PublicID: "folder/my id", Invalidate: api.Bool(true)})
	if err != nil || d.Result != "ok" {
		t.Fatalf("Destroy: %v %+v", err, d)
	}
	if ct := s.Log()[len(s.Log())-1].ContentType; ct != "" {
		t.Errorf("cloudinary-go destroy sent Content-Type %q; the fake must cope without", ct)
	}
	d, err = cld.Upload.Destroy(ctx, uploader.DestroyParams{PublicID: "folder/my id"})
	if err != nil || d.Result != "not found" {
		t.Fatalf("second Destroy: %v %+v", err, d)
	}
	a, err = cld.Admin.Asset(ctx, admin.AssetParams{PublicID: "folder/my id"})
	if err != nil || a.Error.Message != "Resource not found - folder/my id" {
		t.Fatalf("Asset after destroy: %v %q", err, a.Error.Message)
	}
}

// cloudinary-go's chunked upload (an *io.SectionReader over ChunkSize)
// is assembled byte-exact.
func TestOfficialSDKChunked(t *testing.T) {
	t.Parallel()
	s := cloudinaryfake.Start(t, nil)
	cld := sdk(t, s, s.Options().APISecret)
	data := make([]byte, 11<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	res, err := cld.Upload.Upload(context.Background(), io.NewSectionReader(bytes.NewReader(data), 0, int64(len(data))),
		uploader.UploadParams{PublicID: "big.bin", ResourceType: "raw"})
	if err != nil || res.Error.Message != "" {
		t.Fatalf("Upload: %v %q", err, res.Error.Message)
	}
	a, ok := s.Asset("raw", "upload", "big.bin")
	if !ok || !bytes.Equal(a.Data, data) {
		t.Fatalf("chunked upload not assembled byte-exact (found %v)", ok)
	}
	var ranges []string
	for _, e := range s.Log() {
		ranges = append(ranges, e.ContentRange)
	}
	want := []string{"bytes 0-5242879/11534336", "bytes 5242880-10485759/11534336", "bytes 10485760-11534335/11534336"}
	if fmt.Sprint(ranges) != fmt.Sprint(want) {
		t.Errorf("Content-Range %v, want %v", ranges, want)
	}
}

func TestRejectsWrongCredentials(t *testing.T) {
	t.Parallel()
	s := cloudinaryfake.Start(t, nil)
	ctx := context.Background()
	bad := sdk(t, s, "wrong-secret")
	res, err := bad.Upload.Upload(ctx, bytes.NewReader([]byte("hello")), uploader.UploadParams{PublicID: "x.txt", ResourceType: "raw"})
	if err != nil || !strings.HasPrefix(res.Error.Message, "Invalid Signature ") || !strings.Contains(res.Error.Message, "String to sign - '") {
		t.Errorf("wrong secret upload: %v %q", err, res.Error.Message)
	}
	d, err := bad.Upload.Destroy(ctx, uploader.DestroyParams{PublicID: "x.txt", ResourceType: "raw"})
	if err != nil || !strings.HasPrefix(d.Error.Message, "Invalid Signature") {
		t.Errorf("wrong secret destroy: %v %q", err, d.Error.Message)
	}
	a, err := bad.Admin.Asset(ctx, admin.AssetParams{PublicID: "x"})
	if err != nil || a.Error.Message != "api_secret mismatch" {
		t.Errorf("wrong secret admin: %v %q", err, a.Error.Message)
	}
	if s.Len() != 0 {
		t.Errorf("%d assets stored by refused requests", s.Len())
	}
	for _, e := range s.Log() {
		if e.Status != http.StatusUnauthorized {
			t.Errorf("%s %s answered %d, want 401", e.Method, e.Path, e.Status)
		}
	}
	// No credentials at all on the Admin API.
	resp, err := http.Get(s.URL + "/v1_1/fakecloud/resources/image/upload/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("admin without auth: %d", resp.StatusCode)
	}
}

// post sends a signed upload with the fake's own signer.
func post(t *testing.T, s *cloudinaryfake.Server, rt string, params url.Values, file []byte, header http.Header) (int, map[string]any) {
	t.Helper()
	o := s.Options()
	params.Set("api_key", o.APIKey)
	params.Set("signature", cloudinaryfake.Sign(cloudinaryfake.UploadStringToSign(params), o.APISecret, o.SignatureAlgorithm))
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k := range params {
		_ = mw.WriteField(k, params.Get(k))
	}
	fw, _ := mw.CreateFormFile("file", "upload.bin")
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/v1_1/"+o.CloudName+"/"+rt+"/upload", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func errMsg(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

func TestTimestamps(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	s := cloudinaryfake.Start(t, &cloudinaryfake.Options{Now: func() time.Time { return now }})
	ts := func(d time.Duration) string { return strconv.FormatInt(now.Add(-d).Unix(), 10) }

	status, out := post(t, s, "raw", url.Values{"timestamp": {ts(2 * time.Hour)}, "public_id": {"a.txt"}}, []byte("x"), nil)
	if status != http.StatusBadRequest || !strings.HasPrefix(errMsg(out), "Stale request - reported time is 2023-11-14 20:13:20 +0000 which is more than 1 hour ago") {
		t.Errorf("2h old: %d %q", status, errMsg(out))
	}
	status, out = post(t, s, "raw", url.Values{"timestamp": {ts(59 * time.Minute)}, "public_id": {"a.txt"}}, []byte("x"), nil)
	if status != http.StatusOK || out["public_id"] != "a.txt" {
		t.Errorf("59 min old: %d %v", status, out)
	}
	status, out = post(t, s, "raw", url.Values{"public_id": {"a.txt"}}, []byte("x"), nil)
	if status != http.StatusBadRequest || errMsg(out) != "Missing required parameter - timestamp" {
		t.Errorf("no timestamp: %d %q", status, errMsg(out))
	}
}

func TestUploadRules(t *testing.T) {
	t.Parallel()
	s := cloudinaryfake.Start(t, nil)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	img := pngBytes(t, 4, 4)

	status, out := post(t, s, "image", url.Values{"timestamp": {ts}, "public_id": {"p"}}, []byte("not an image"), nil)
	if status != http.StatusBadRequest || errMsg(out) != "Invalid image file" {
		t.Errorf("text as image: %d %q", status, errMsg(out))
	}
	status, out = post(t, s, "raw", url.Values{"timestamp": {ts}, "public_id": {"p"}}, nil, nil)
	if status != http.StatusBadRequest || errMsg(out) != "Empty file" {
		t.Errorf("empty: %d %q", status, errMsg(out))
	}
	status, out = post(t, s, "auto", url.Values{"timestamp": {ts}, "public_id": {"p"}, "type": {"authenticated"}}, img, nil)
	if status != http.StatusOK || out["resource_type"] != "image" || out["type"] != "authenticated" {
		t.Fatalf("auto image: %d %v", status, out)
	}
	first := out["version"]
	status, out = post(t, s, "image", url.Values{"timestamp": {ts}, "public_id": {"p"}, "type": {"authenticated"}, "overwrite": {"false"}}, pngBytes(t, 9, 9), nil)
	if status != http.StatusOK || out["existing"] != true || out["version"] != first || out["width"] != float64(4) {
		t.Errorf("overwrite=false on an existing asset: %d %v", status, out)
	}
	status, out = post(t, s, "raw", url.Values{"timestamp": {ts}, "public_id": {"a?b"}}, []byte("x"), nil)
	if status != http.StatusBadRequest {
		t.Errorf("public_id with ?: %d %v", status, out)
	}

	// Delivery of the authenticated image needs its signature.
	a, _ := s.Asset("image", "authenticated", "p")
	base := s.URL + "/fakecloud/image/authenticated/"
	sig := cloudinaryfake.DeliverySignature("p", s.Options().APISecret, false)
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"p", http.StatusUnauthorized},
		{"s--AAAAAAAA--/p", http.StatusUnauthorized},
		{sig + "/p", http.StatusOK},
		{sig + "/v1/p", http.StatusOK},
		{cloudinaryfake.DeliverySignature("p.png", s.Options().APISecret, false) + "/v1/p.png", http.StatusOK},
		{cloudinaryfake.DeliverySignature("w_2,c_fill/p", s.Options().APISecret, false) + "/w_2,c_fill/v7/p", http.StatusOK},
		{sig + "/w_2,c_fill/p", http.StatusUnauthorized},
		{sig + "/q", http.StatusNotFound},
	} {
		resp, err := http.Get(base + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("GET %s: %d, want %d", tc.path, resp.StatusCode, tc.status)
		}
		if tc.status == http.StatusOK && !bytes.Equal(body, a.Data) {
			t.Errorf("GET %s: wrong bytes", tc.path)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, base+sig+"/p", nil)
	req.Header.Set("Range", "bytes=1-3")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, a.Data[1:4]) {
		t.Errorf("Range: %d %q", resp.StatusCode, body)
	}
}

func TestChunkRules(t *testing.T) {
	t.Parallel()
	s := cloudinaryfake.Start(t, &cloudinaryfake.Options{MinChunkBytes: 10})
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	params := func() url.Values { return url.Values{"timestamp": {ts}, "public_id": {"c.bin"}} }
	h := func(id, cr string) http.Header { return http.Header{"X-Unique-Upload-Id": {id}, "Content-Range": {cr}} }
	part := bytes.Repeat([]byte("x"), 10)

	if status, out := post(t, s, "raw", params(), part, h("u1", "bytes 10-19/-1")); status != http.StatusBadRequest {
		t.Errorf("first chunk missing: %d %v", status, out)
	}
	if status, out := post(t, s, "raw", params(), part[:5], h("u2", "bytes 0-4/-1")); status != http.StatusBadRequest {
		t.Errorf("small chunk: %d %v", status, out)
	}
	if status, out := post(t, s, "raw", params(), part, h("u3", "bytes 0-9/-1")); status != http.StatusOK || out["done"] != false {
		t.Fatalf("chunk 1: %d %v", status, out)
	}
	if status, out := post(t, s, "raw", params(), part, h("u3", "bytes 0-9/-1")); status != http.StatusBadRequest {
		t.Errorf("repeated chunk: %d %v", status, out)
	}
	if status, out := post(t, s, "raw", params(), []byte("end"), h("u3", "bytes 10-12/13")); status != http.StatusOK || out["bytes"] != float64(13) {
		t.Fatalf("last chunk: %d %v", status, out)
	}
	if a, ok := s.Asset("raw", "upload", "c.bin"); !ok || string(a.Data) != string(part)+"end" {
		t.Errorf("assembled %q", a.Data)
	}
	if status, _ := post(t, s, "raw", params(), part, h("u4", "bytes 0-3/-1")); status != http.StatusBadRequest {
		t.Errorf("Content-Range not matching the part: %d", status)
	}
}

func TestRequestLimit(t *testing.T) {
	t.Parallel()
	s := cloudinaryfake.Start(t, &cloudinaryfake.Options{MaxRequestBytes: 1000})
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	status, out := post(t, s, "raw", url.Values{"timestamp": {ts}, "public_id": {"big"}}, make([]byte, 2000), nil)
	if status != http.StatusRequestEntityTooLarge || s.Len() != 0 {
		t.Errorf("over the limit: %d %v", status, out)
	}
}
