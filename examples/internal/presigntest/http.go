package presigntest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The bodies of the contract, as a client reads them.

type presignJSON struct {
	Success       bool              `json:"success"`
	PresignedURL  string            `json:"presignedUrl"`
	ObjectKey     string            `json:"objectKey"`
	PublicFileURL string            `json:"publicFileUrl"`
	Headers       map[string]string `json:"headers"`
}

type fileJSON struct {
	ID           string    `json:"id"`
	Provider     string    `json:"provider"`
	Key          string    `json:"key"`
	URL          string    `json:"url"`
	ResourceType string    `json:"resource_type"`
	ContentType  string    `json:"content_type"`
	Size         int64     `json:"size"`
	UserID       string    `json:"user_id"`
	CreatedAt    time.Time `json:"created_at"`
}

type fileResp struct {
	Success bool     `json:"success"`
	File    fileJSON `json:"file"`
}

type uploadResp struct {
	Success bool     `json:"success"`
	FileURL string   `json:"fileUrl"`
	File    fileJSON `json:"file"`
}

type listResp struct {
	Success    bool       `json:"success"`
	Files      []fileJSON `json:"files"`
	NextCursor string     `json:"next_cursor"`
}

type urlResp struct {
	Success bool   `json:"success"`
	URL     string `json:"url"`
}

type errorResp struct {
	Success *bool  `json:"success"`
	Error   string `json:"error"`
}

// fileFields are the FILE fields the contract requires.
var fileFields = []string{"id", "provider", "key", "url", "resource_type", "content_type", "size", "user_id", "created_at"}

// client drives one API server as user, as curl would.
type client struct {
	base string
	hc   *http.Client
}

func (b *bundle) client() *client { return &client{base: b.api.URL, hc: b.api.Client()} }

// do sends a request as user ("" sends no X-User-ID) and returns the
// status and the body.
func (c *client) do(t testing.TB, method, path, user, ctype string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.Header.Set("X-User-ID", user)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return send(t, c.hc, req)
}

// post posts v as JSON (a string verbatim).
func (c *client) post(t testing.TB, path, user string, v any) (int, []byte) {
	t.Helper()
	body, ok := v.(string)
	if !ok {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		body = string(data)
	}
	return c.do(t, http.MethodPost, path, user, "application/json", strings.NewReader(body))
}

func send(t testing.TB, hc *http.Client, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL.Path, err)
	}
	return resp.StatusCode, data
}

// decode reads a JSON body into a T.
func decode[T any](t testing.TB, data []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("body is not the expected JSON: %v: %s", err, data)
	}
	return v
}

// wantOK checks a 200 {"success": true, ...} and decodes it.
func wantOK[T any](t testing.TB, status int, data []byte) T {
	t.Helper()
	if status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", status, data)
	}
	if ok := decode[struct {
		Success bool `json:"success"`
	}](t, data); !ok.Success {
		t.Fatalf("success is not true: %s", data)
	}
	return decode[T](t, data)
}

// wantError checks a failure: the status, and the envelope
// {"success": false, "error": "<sentence>"} without internals.
func wantError(t testing.TB, status int, data []byte, want int) {
	t.Helper()
	if status != want {
		t.Fatalf("status %d, want %d: %s", status, want, data)
	}
	e := decode[errorResp](t, data)
	if e.Success == nil || *e.Success || e.Error == "" {
		t.Fatalf("error body %s, want success false and a sentence", data)
	}
	for _, leak := range []string{"mediastore:", "goroutine", ".go:", "X-Amz-Signature", "SQLSTATE"} {
		if strings.Contains(e.Error, leak) {
			t.Fatalf("error sentence %q shows internals (%q)", e.Error, leak)
		}
	}
}

// wantFileFields checks that a FILE object has every field of the contract.
func wantFileFields(t testing.TB, raw json.RawMessage) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("FILE is not an object: %s", raw)
	}
	for _, f := range fileFields {
		if _, ok := m[f]; !ok {
			t.Errorf("FILE lacks %q: %s", f, raw)
		}
	}
}

// presign asks for a presigned PUT.
func (c *client) presign(t testing.TB, ex *Example, user, name, ctype string) presignJSON {
	t.Helper()
	st, body := c.post(t, ex.PresignPath, user, map[string]any{"fileName": name, "contentType": ctype})
	p := wantOK[presignJSON](t, st, body)
	if p.PresignedURL == "" || p.ObjectKey == "" {
		t.Fatalf("presign answered no URL or key: %s", body)
	}
	return p
}

// save posts the guide's save-metadata body.
func (c *client) save(t testing.TB, ex *Example, user, key, publicURL string) (int, []byte) {
	t.Helper()
	return c.post(t, ex.SavePath, user, map[string]string{"objectKey": key, "publicFileUrl": publicURL})
}

// flow is the guide's whole upload: presign, PUT, save-metadata.
func (c *client) flow(t testing.TB, ex *Example, s3c *http.Client, user, name, ctype string, data []byte) fileJSON {
	t.Helper()
	p := c.presign(t, ex, user, name, ctype)
	if st, body := put(t, s3c, p.PresignedURL, ctype, data); st != http.StatusOK {
		t.Fatalf("PUT to the presigned URL: status %d: %s", st, body)
	}
	st, body := c.save(t, ex, user, p.ObjectKey, p.PublicFileURL)
	return wantOK[fileResp](t, st, body).File
}

// put uploads data to a presigned URL as the guide's browser code does:
// a PUT with the declared Content-Type.
func put(t testing.TB, hc *http.Client, url, ctype string, data []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return send(t, hc, req)
}

// get fetches a URL.
func get(t testing.TB, hc *http.Client, url string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return send(t, hc, req)
}

// rows counts the files table's rows: all of them and the ready ones.
func (b *bundle) rows(t testing.TB) (all, ready int) {
	t.Helper()
	err := b.pool.QueryRow(context.Background(),
		`SELECT count(*), count(*) FILTER (WHERE status = 'ready') FROM "`+b.schema+`".mediastore_files`).Scan(&all, &ready)
	if err != nil {
		t.Fatal(err)
	}
	return all, ready
}

// objects lists the keys in the bucket with ListObjectsV2.
func (b *bundle) objects(t testing.TB) []string {
	t.Helper()
	var keys []string
	pg := s3.NewListObjectsV2Paginator(b.srv.S3Client(), &s3.ListObjectsV2Input{Bucket: aws.String(b.bucket)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(context.Background())
		if err != nil {
			t.Fatalf("ListObjectsV2: %v", err)
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

// exists reports whether key is in the bucket (HeadObject).
func (b *bundle) exists(t testing.TB, key string) bool {
	t.Helper()
	_, err := b.srv.S3Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)})
	if err == nil {
		return true
	}
	var nf interface{ ErrorCode() string }
	if errors.As(err, &nf) && (nf.ErrorCode() == "NotFound" || nf.ErrorCode() == "NoSuchKey") {
		return false
	}
	t.Fatalf("HeadObject %s: %v", key, err)
	return false
}
