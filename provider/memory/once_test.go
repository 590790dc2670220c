package memory_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/memory"
)

// A ticket uploads once: a second PUT with it, as a client replacing a
// confirmed object would send, is refused and the first bytes stay.
func TestTicketUploadsOnce(t *testing.T) {
	t.Parallel()
	var p *memory.Provider
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.ServeHTTP(w, r) }))
	defer srv.Close()
	p = memory.New(&memory.Config{BaseURL: srv.URL})
	ctx := context.Background()
	tk, err := p.PrepareDirect(ctx, "a/once.txt", &mediastore.DirectOptions{ContentType: "text/plain", Size: -1})
	if err != nil {
		t.Fatal(err)
	}
	put := func(body string) int {
		req, _ := http.NewRequest(tk.Method, tk.URL, bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "text/plain")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := put("first"); st != http.StatusOK {
		t.Fatalf("first PUT: %d", st)
	}
	if st := put("second, and longer"); st != http.StatusPreconditionFailed {
		t.Fatalf("second PUT: %d, want 412", st)
	}
	if obj, err := p.Stat(ctx, "a/once.txt"); err != nil || obj.Size != 5 {
		t.Fatalf("after the second PUT: %+v %v", obj, err)
	}
}
