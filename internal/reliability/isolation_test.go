package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/httpapi"
	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/internal/tests3"
	"github.com/mediastore/mediastore/provider/s3compat"
	"github.com/mediastore/mediastore/store/pgstore"
)

// rlsEnv is a Client on S3 and on pgstore with Row Level Security, its
// pool connected as a restricted role (not the table owner, no
// BYPASSRLS), the sweeper's calls on the owner's pool.
type rlsEnv struct {
	srv    *tests3.Server
	bucket string
	table  string
	app    *pgxpool.Pool // the restricted role
	owner  *pgxpool.Pool // the table owner
	prov   *s3compat.Provider
	client *mediastore.Client
	clock  *clock
}

func newRLSEnv(t *testing.T) *rlsEnv {
	t.Helper()
	ctx := t.Context()
	e := &rlsEnv{srv: tests3.Start(ctx, t, nil), owner: testdb.Pool(ctx, t), clock: newClock()}
	e.bucket = e.srv.NewBucket(ctx, t)
	schema := testdb.MigratedSchema(ctx, t)
	e.table = pgx.Identifier{schema, "mediastore_files"}.Sanitize()
	role, roleURL := testdb.Role(ctx, t)
	for _, q := range []string{
		"GRANT USAGE ON SCHEMA " + pgx.Identifier{schema}.Sanitize() + " TO " + role,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON " + e.table + " TO " + role,
	} {
		_, err := e.owner.Exec(ctx, q)
		must(t, err)
	}
	cfg, err := pgxpool.ParseConfig(roleURL)
	must(t, err)
	e.app, err = pgxpool.NewWithConfig(ctx, cfg)
	must(t, err)
	t.Cleanup(e.app.Close)
	store, err := pgstore.New(e.app, &pgstore.Config{Schema: schema, RLS: true, SystemPool: e.owner})
	must(t, err)
	e.prov = newS3Provider(t, e.srv, e.bucket, e.srv.Endpoint, 0)
	e.client = newClient(t, e.prov, store, e.clock.Now)
	return e
}

// asRole counts rows of the table as the restricted role, in a
// transaction with mediastore.owner set to owner ("" leaves it unset).
func (e *rlsEnv) asRole(t *testing.T, owner, where string, args ...any) int {
	t.Helper()
	ctx := t.Context()
	tx, err := e.app.Begin(ctx)
	must(t, err)
	defer tx.Rollback(context.WithoutCancel(ctx))
	if owner != "" {
		_, err := tx.Exec(ctx, "SELECT set_config('mediastore.owner', $1, true)", owner)
		must(t, err)
	}
	var n int
	must(t, tx.QueryRow(ctx, "SELECT count(*) FROM "+e.table+" "+where, args...).Scan(&n))
	return n
}

// snapshot is every row, whole, and every object with its size and ETag.
func (e *rlsEnv) snapshot(t *testing.T) string {
	t.Helper()
	ctx := t.Context()
	var b strings.Builder
	rows, err := e.owner.Query(ctx, "SELECT row_to_json(f)::text FROM "+e.table+" f ORDER BY id")
	must(t, err)
	var line string
	_, err = pgx.ForEachRow(rows, []any{&line}, func() error { b.WriteString(line + "\n"); return nil })
	must(t, err)
	out, err := e.srv.S3Client().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(e.bucket)})
	must(t, err)
	for _, o := range out.Contents {
		b.WriteString(aws.ToString(o.Key) + " " + aws.ToString(o.ETag) + "\n")
	}
	return b.String()
}

// api is the HTTP API of an rlsEnv's Client, with the guide-shaped R2
// routes mounted too.
type api struct {
	srv *httptest.Server
}

func newAPI(t *testing.T, c *mediastore.Client) *api {
	t.Helper()
	h, err := httpapi.New(c, httpapi.Config{Authenticate: func(r *http.Request) (string, error) {
		if u := r.Header.Get("X-User-ID"); u != "" {
			return u, nil
		}
		return "", errors.New("no user")
	}})
	must(t, err)
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.HandleFunc("POST /presign-upload", h.PresignUpload)
	mux.HandleFunc("POST /save-metadata", h.SaveMetadata)
	a := &api{srv: httptest.NewServer(mux)}
	t.Cleanup(a.srv.Close)
	return a
}

// response is a status and a body.
type response struct {
	Status int
	Body   string
}

func (a *api) do(t *testing.T, method, path, user, ctype string, body []byte) response {
	t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, bytes.NewReader(body))
	must(t, err)
	req.Header.Set("X-User-ID", user)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := a.srv.Client().Do(req)
	must(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	must(t, err)
	return response{resp.StatusCode, string(data)}
}

func (a *api) json(t *testing.T, path, user string, v any) response {
	t.Helper()
	body, err := json.Marshal(v)
	must(t, err)
	return a.do(t, http.MethodPost, path, user, "application/json", body)
}

func (a *api) upload(t *testing.T, user, name string, content []byte) *mediastore.File {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, err := mw.CreateFormFile("file", name)
	must(t, err)
	w.Write(content)
	must(t, mw.Close())
	r := a.do(t, http.MethodPost, "/upload", user, mw.FormDataContentType(), buf.Bytes())
	var out httpapi.UploadResponse
	if r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), &out) != nil || out.File == nil {
		t.Fatalf("upload as %s: %d %s", user, r.Status, r.Body)
	}
	return out.File
}

func decodeAs[T any](t *testing.T, r response) *T {
	t.Helper()
	v := new(T)
	if r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), v) != nil {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	return v
}

// TestIsolationHTTP: every endpoint of httpapi, called by bob with alice's
// file id, key or cursor, answers exactly as for an id or key that does
// not exist (404 for a file id), and changes no row and no object; alice's
// files and pending uploads then work for her as before. Real parts: S3,
// PostgreSQL with Row Level Security and a restricted role.
func TestIsolationHTTP(t *testing.T) {
	t.Parallel()
	e := newRLSEnv(t)
	a := newAPI(t, e.client)
	const unknownID = "00000000-0000-4000-8000-000000000000"
	content := pngBytes(2048, 7)

	// Alice: two ready files, a direct upload and a guide-shaped one
	// uploaded but not yet confirmed. Bob: one file.
	a1 := a.upload(t, "alice", "a1.png", content)
	a2 := a.upload(t, "alice", "a2.png", content)
	tk := decodeAs[httpapi.TicketResponse](t, a.json(t, "/uploads", "alice", httpapi.PrepareUploadRequest{Filename: "d.png", ContentType: "image/png", Size: int64(len(content))})).Ticket
	putTicket(t, e.srv.HTTPClient(), tk, content)
	ps := decodeAs[httpapi.PresignResponse](t, a.json(t, "/presign-upload", "alice", httpapi.PresignUploadRequest{FileName: "p.png", ContentType: "image/png"}))
	putTicket(t, e.srv.HTTPClient(), &mediastore.Ticket{Method: http.MethodPut, URL: ps.PresignedURL, Headers: http.Header{"Content-Type": {"image/png"}}}, content)
	b1 := a.upload(t, "bob", "b1.png", content)
	page := decodeAs[httpapi.ListResponse](t, a.do(t, http.MethodGet, "/files?limit=1", "alice", "", nil))
	if page.NextCursor == "" {
		t.Fatal("alice's first page has no next cursor")
	}

	before := e.snapshot(t)
	// Each attack, and the same request with an id or key nobody has.
	attacks := []struct {
		name           string
		method, path   string
		body, unknown  any
		unknownPath    string
		wantStatus     int
		jsonBody, list bool
	}{
		{name: "get", method: http.MethodGet, path: "/files/" + a1.ID, unknownPath: "/files/" + unknownID, wantStatus: 404},
		{name: "url", method: http.MethodGet, path: "/files/" + a1.ID + "/url", unknownPath: "/files/" + unknownID + "/url", wantStatus: 404},
		{name: "url download", method: http.MethodGet, path: "/files/" + a1.ID + "/url?download=x.png", unknownPath: "/files/" + unknownID + "/url?download=x.png", wantStatus: 404},
		{name: "delete", method: http.MethodDelete, path: "/files/" + a2.ID, unknownPath: "/files/" + unknownID, wantStatus: 404},
		{name: "confirm a pending key", method: http.MethodPost, path: "/uploads/confirm", body: httpapi.ConfirmUploadRequest{Key: tk.Key},
			unknown: httpapi.ConfirmUploadRequest{Key: "alice/nobody-issued-this.png"}},
		{name: "confirm a ready key", method: http.MethodPost, path: "/uploads/confirm", body: httpapi.ConfirmUploadRequest{Key: a1.Key},
			unknown: httpapi.ConfirmUploadRequest{Key: "alice/nobody-issued-this.png"}},
		{name: "save-metadata of a pending key", method: http.MethodPost, path: "/save-metadata", body: httpapi.SaveMetadataRequest{ObjectKey: ps.ObjectKey},
			unknown: httpapi.SaveMetadataRequest{ObjectKey: "alice/nobody-issued-this.png"}},
		{name: "save-metadata of a ready key", method: http.MethodPost, path: "/save-metadata", body: httpapi.SaveMetadataRequest{ObjectKey: a2.Key},
			unknown: httpapi.SaveMetadataRequest{ObjectKey: "alice/nobody-issued-this.png"}},
	}
	for _, at := range attacks {
		var got, ref response
		if at.body != nil {
			got, ref = a.json(t, at.path, "bob", at.body), a.json(t, at.path, "bob", at.unknown)
		} else {
			got, ref = a.do(t, at.method, at.path, "bob", "", nil), a.do(t, at.method, at.unknownPath, "bob", "", nil)
		}
		if got != ref || got.Status < 400 || at.wantStatus != 0 && got.Status != at.wantStatus {
			t.Errorf("%s: bob with alice's file got %d %s; with nobody's %d %s", at.name, got.Status, got.Body, ref.Status, ref.Body)
		}
	}
	// Listing: bob sees his file only, with or without alice's cursor.
	for _, q := range []string{"", "?cursor=" + url.QueryEscape(page.NextCursor), "?resource_type=image"} {
		l := decodeAs[httpapi.ListResponse](t, a.do(t, http.MethodGet, "/files"+q, "bob", "", nil))
		if len(l.Files) > 1 || len(l.Files) == 1 && l.Files[0].ID != b1.ID {
			t.Errorf("bob lists %+v with %q", l.Files, q)
		}
	}
	if after := e.snapshot(t); after != before {
		t.Fatalf("bob's requests changed the table or the bucket:\nbefore\n%s\nafter\n%s", before, after)
	}

	// Alice's files and uploads are intact and still hers to finish.
	decodeAs[httpapi.FileResponse](t, a.do(t, http.MethodGet, "/files/"+a1.ID, "alice", "", nil))
	if f := decodeAs[httpapi.FileResponse](t, a.json(t, "/uploads/confirm", "alice", httpapi.ConfirmUploadRequest{Key: tk.Key})).File; f.Owner != "alice" || f.Status != mediastore.StatusReady {
		t.Errorf("alice's confirm: %+v", f)
	}
	if f := decodeAs[httpapi.FileResponse](t, a.json(t, "/save-metadata", "alice", httpapi.SaveMetadataRequest{ObjectKey: ps.ObjectKey})).File; f.Owner != "alice" {
		t.Errorf("alice's save-metadata: %+v", f)
	}
	decodeAs[httpapi.OKResponse](t, a.do(t, http.MethodDelete, "/files/"+a2.ID, "alice", "", nil))
	if n := e.asRole(t, "alice", ""); n != 3 {
		t.Errorf("alice has %d rows, want 3 (a1, the direct upload, the presigned one)", n)
	}
}

// TestIsolationRLS: the Client works for each owner on a pool whose role
// Row Level Security restricts (upload, list, get, URL, direct upload,
// delete, and the sweeper and Reconcile on the system pool), while that
// role's raw SQL sees no row of another owner, and none without the
// owner setting.
func TestIsolationRLS(t *testing.T) {
	t.Parallel()
	e := newRLSEnv(t)
	ctx := t.Context()
	c := e.client
	content := pngBytes(4096, 8)

	files := map[string][]*mediastore.File{}
	for _, owner := range []string{"alice", "bob"} {
		for range 2 {
			f, err := c.Upload(ctx, owner, bytes.NewReader(content), &mediastore.UploadOptions{Filename: owner + ".png"})
			must(t, err)
			files[owner] = append(files[owner], f)
		}
		tk, err := c.PrepareUpload(ctx, owner, &mediastore.PrepareRequest{Filename: "d.png", ContentType: "image/png", Size: int64(len(content))})
		must(t, err)
		putTicket(t, e.srv.HTTPClient(), tk, content)
		f, err := c.ConfirmUpload(ctx, owner, &mediastore.ConfirmRequest{Key: tk.Key})
		must(t, err)
		files[owner] = append(files[owner], f)
		// An intent that expires, for the sweeper.
		_, err = c.PrepareUpload(ctx, owner, &mediastore.PrepareRequest{Filename: "never.png", ContentType: "image/png"})
		must(t, err)
	}
	for owner, fs := range files {
		res, err := c.List(ctx, owner, nil)
		must(t, err)
		if len(res.Files) != 3 {
			t.Errorf("%s lists %d files, want 3", owner, len(res.Files))
		}
		for _, f := range res.Files {
			if f.Owner != owner {
				t.Errorf("%s lists %s's file %s", owner, f.Owner, f.ID)
			}
		}
		if _, err := c.URL(ctx, owner, fs[0].ID, nil); err != nil {
			t.Errorf("%s's URL: %v", owner, err)
		}
		other := files[map[string]string{"alice": "bob", "bob": "alice"}[owner]][0]
		if _, err := c.Get(ctx, owner, other.ID); !errors.Is(err, mediastore.ErrNotFound) {
			t.Errorf("%s gets %s's file: %v", owner, other.Owner, err)
		}
		if err := c.Delete(ctx, owner, other.ID); !errors.Is(err, mediastore.ErrNotFound) {
			t.Errorf("%s deletes %s's file: %v", owner, other.Owner, err)
		}
	}
	must(t, c.Delete(ctx, "alice", files["alice"][1].ID))

	// The role's raw SQL: 0 rows of the other owner, 0 without the setting.
	bobIDs := []string{files["bob"][0].ID, files["bob"][1].ID, files["bob"][2].ID}
	if n := e.asRole(t, "", ""); n != 0 {
		t.Errorf("without the owner setting the role sees %d rows", n)
	}
	if n := e.asRole(t, "alice", "WHERE owner = 'bob' OR id = ANY($1::uuid[])", bobIDs); n != 0 {
		t.Errorf("as alice the role sees %d of bob's rows", n)
	}
	if n := e.asRole(t, "alice", ""); n != 3 {
		t.Errorf("as alice the role sees %d rows, want her 3 (2 ready, 1 intent)", n)
	}
	if n := e.asRole(t, "bob", ""); n != 4 {
		t.Errorf("as bob the role sees %d rows, want his 4 (3 ready, 1 intent)", n)
	}

	// The system calls see every owner: the sweeper takes both expired
	// intents, Reconcile compares every row with the bucket.
	sweeper := newClient(t, e.prov, c.Store(), e.clock.later())
	res, err := sweeper.NewSweeper(nil).RunOnce(ctx)
	if err != nil || res.Removed != 2 {
		t.Errorf("sweep: %+v %v, want both intents removed", res, err)
	}
	rep, err := sweeper.Reconcile(ctx, &mediastore.ReconcileOptions{})
	if err != nil || rep.Rows != 5 || rep.Objects != 5 || len(rep.Orphans) != 0 || len(rep.Dangling) != 0 {
		t.Errorf("reconcile: %+v %v, want 5 rows and 5 objects that agree", rep, err)
	}
}
