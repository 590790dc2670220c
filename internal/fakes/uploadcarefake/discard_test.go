package uploadcarefake

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"testing"
)

// postForm posts a multipart form (fields, then an optional file) and
// decodes the JSON answer.
func postForm(t *testing.T, url string, fields map[string]string, file []byte) map[string]any {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("file", "big.png")
		fw.Write(file)
	}
	mw.Close()
	resp, err := http.Post(url, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d %s", url, resp.StatusCode, b)
	}
	out := map[string]any{}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("POST %s: %s", url, b)
	}
	return out
}

func pngLike(n int) []byte {
	b := bytes.Repeat([]byte{7}, n)
	copy(b, "\x89PNG\r\n\x1a\n")
	return b
}

// DiscardContent keeps the size and the first bytes only, through /base/
// and through the multipart API.
func TestDiscardContent(t *testing.T) {
	s := Start(t, Options{DiscardContent: true})
	pk := map[string]string{"UPLOADCARE_PUB_KEY": s.PublicKey(), "UPLOADCARE_STORE": "0"}

	small := pngLike(3000)
	uuid := postForm(t, s.UploadURL+"/base/", pk, small)["file"].(string)
	if f, _ := s.File(uuid); f.Size != 3000 {
		t.Errorf("base upload: %+v", f)
	}
	if c, _ := s.Content(uuid); !bytes.Equal(c, small[:headKeep]) {
		t.Errorf("base upload kept %d bytes, want the first %d", len(c), headKeep)
	}

	const size = 11 << 20
	big := pngLike(size)
	start := postForm(t, s.UploadURL+"/multipart/start/", map[string]string{
		"UPLOADCARE_PUB_KEY": s.PublicKey(), "filename": "big.png", "size": strconv.Itoa(size), "content_type": "image/png",
	}, nil)
	uuid = start["uuid"].(string)
	for i, u := range start["parts"].([]any) {
		end := min((i+1)*minPartSize, size)
		req, _ := http.NewRequest(http.MethodPut, u.(string), bytes.NewReader(big[i*minPartSize:end]))
		req.Header.Set("Content-Type", "image/png")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("part %d: %v %v", i+1, err, resp)
		}
		resp.Body.Close()
	}
	postForm(t, s.UploadURL+"/multipart/complete/", map[string]string{"UPLOADCARE_PUB_KEY": s.PublicKey(), "uuid": uuid}, nil)
	if f, _ := s.File(uuid); f.Size != size || !f.Multipart {
		t.Errorf("multipart upload: %+v", f)
	}
	if c, _ := s.Content(uuid); !bytes.Equal(c, big[:headKeep]) {
		t.Errorf("multipart upload kept %d bytes, want the first %d", len(c), headKeep)
	}
}
