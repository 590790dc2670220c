package httpapi

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestFiles(t *testing.T) {
	t.Parallel()

	t.Run("ListPages", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		want := map[string]bool{}
		for _, name := range []string{"a.png", "b.png", "c.txt"} {
			content := pngData(100)
			if strings.HasSuffix(name, ".txt") {
				content = "plain text"
			}
			want[b.uploadFile(t, "alice", name, content).File.ID] = true
		}
		got := map[string]bool{}
		cursor := ""
		for page := 0; ; page++ {
			path := "/files?limit=2"
			if cursor != "" {
				path += "&cursor=" + url.QueryEscape(cursor)
			}
			st, body := b.do(t, http.MethodGet, path, "alice", "", nil)
			wantStatus(t, st, body, http.StatusOK)
			res := decode[ListResponse](t, body)
			for _, f := range res.Files {
				if f.Owner != "alice" || got[f.ID] {
					t.Fatalf("page %d: unexpected file %+v", page, f)
				}
				got[f.ID] = true
			}
			if res.NextCursor == "" {
				if len(res.Files) != 1 {
					t.Fatalf("last page has %d files, want 1", len(res.Files))
				}
				break
			}
			if len(res.Files) != 2 || page > 1 {
				t.Fatalf("page %d has %d files", page, len(res.Files))
			}
			cursor = res.NextCursor
		}
		if len(got) != len(want) {
			t.Fatalf("listed %v, want %v", got, want)
		}

		st, body := b.do(t, http.MethodGet, "/files?resource_type=raw", "alice", "", nil)
		wantStatus(t, st, body, http.StatusOK)
		if res := decode[ListResponse](t, body); len(res.Files) != 1 || res.Files[0].ResourceType != "raw" || res.NextCursor != "" {
			t.Fatalf("raw files = %s", body)
		}
	})

	t.Run("ListEmptyIsAnArray", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		st, body := b.do(t, http.MethodGet, "/files", "alice", "", nil)
		wantStatus(t, st, body, http.StatusOK)
		if string(body) != `{"success":true,"files":[],"next_cursor":""}`+"\n" {
			t.Fatalf("body = %s", body)
		}
	})

	t.Run("ListBadQuery", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		for _, q := range []string{"limit=abc", "limit=0", "limit=-1", "limit=1001", "cursor=forged", "resource_type=pdf"} {
			st, body := b.do(t, http.MethodGet, "/files?"+q, "alice", "", nil)
			wantError(t, st, body, http.StatusBadRequest, listInvalid)
		}
	})

	t.Run("GetURLDelete", func(t *testing.T) {
		t.Parallel()
		b := setup(t, nil)
		content := pngData(1234)
		up := b.uploadFile(t, "alice", "pic.png", content)
		id := up.File.ID

		st, body := b.do(t, http.MethodGet, "/files/"+id, "alice", "", nil)
		wantStatus(t, st, body, http.StatusOK)
		if f := decode[FileResponse](t, body).File; f.ID != id || f.Key != up.File.Key || f.Size != 1234 {
			t.Fatalf("file = %+v", f)
		}

		st, body = b.do(t, http.MethodGet, "/files/"+id+"/url", "alice", "", nil)
		wantStatus(t, st, body, http.StatusOK)
		u := decode[URLResponse](t, body).URL
		if gst, got := b.fetch(t, u); gst != http.StatusOK || string(got) != content {
			t.Fatalf("GET url = %d, %d bytes", gst, len(got))
		}
		if !strings.Contains(u, "sig") && !strings.Contains(u, "exp") {
			t.Fatalf("private provider gave an unsigned URL: %s", u)
		}

		st, body = b.do(t, http.MethodGet, "/files/"+id+"/url?download="+url.QueryEscape("My Picture.png"), "alice", "", nil)
		wantStatus(t, st, body, http.StatusOK)
		if u := decode[URLResponse](t, body).URL; !strings.Contains(u, "My-Picture.png") {
			t.Fatalf("download URL = %s, want the sanitized name in it", u)
		}

		st, body = b.do(t, http.MethodDelete, "/files/"+id, "alice", "", nil)
		wantStatus(t, st, body, http.StatusOK)
		if string(body) != `{"success":true}`+"\n" {
			t.Fatalf("body = %s", body)
		}
		b.wantCounts(t, "alice", counts{})
		if gst, _ := b.fetch(t, u); gst != http.StatusNotFound {
			t.Fatalf("GET after delete = %d, want 404", gst)
		}

		for _, req := range [][2]string{{http.MethodDelete, "/files/" + id}, {http.MethodGet, "/files/" + id}, {http.MethodGet, "/files/" + id + "/url"}} {
			st, body = b.do(t, req[0], req[1], "alice", "", nil)
			wantError(t, st, body, http.StatusNotFound, "file not found")
		}
	})

	t.Run("PublicURL", func(t *testing.T) {
		t.Parallel()
		b := setup(t, &setupOpts{public: true})
		up := b.uploadFile(t, "alice", "pic.png", pngData(10))
		st, body := b.do(t, http.MethodGet, "/files/"+up.File.ID+"/url", "alice", "", nil)
		wantStatus(t, st, body, http.StatusOK)
		if u := decode[URLResponse](t, body).URL; u != b.objs.URL+"/"+up.File.Key || up.FileURL != u {
			t.Fatalf("url = %s, fileUrl = %s, want the public URL", u, up.FileURL)
		}
	})
}

// TestIsolation: two users cannot see, fetch, sign, confirm or delete each
// other's files; another user's file answers exactly like a missing one.
func TestIsolation(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	a := b.uploadFile(t, "alice", "a.png", pngData(100)).File
	b.uploadFile(t, "bob", "b.png", pngData(100))

	st, body := b.do(t, http.MethodGet, "/files", "bob", "", nil)
	wantStatus(t, st, body, http.StatusOK)
	for _, f := range decode[ListResponse](t, body).Files {
		if f.Owner != "bob" {
			t.Fatalf("bob lists %+v", f)
		}
	}
	for _, req := range [][2]string{{http.MethodGet, "/files/" + a.ID}, {http.MethodGet, "/files/" + a.ID + "/url"}, {http.MethodDelete, "/files/" + a.ID}} {
		st, body := b.do(t, req[0], req[1], "bob", "", nil)
		wantError(t, st, body, http.StatusNotFound, "file not found")
	}
	// Bob cannot confirm Alice's recorded key either.
	st, body = b.postJSON(t, "/save-metadata", "bob", map[string]string{"objectKey": a.Key})
	wantStatus(t, st, body, http.StatusForbidden)
	st, body = b.postJSON(t, "/uploads/confirm", "bob", map[string]string{"key": a.Key})
	wantStatus(t, st, body, http.StatusForbidden)

	b.wantCounts(t, "alice", counts{ready: 1, objects: 2})
	st, body = b.do(t, http.MethodGet, "/files/"+a.ID, "alice", "", nil)
	wantStatus(t, st, body, http.StatusOK)
}
