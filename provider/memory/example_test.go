package memory_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/memory"
)

// A memory Provider served by an httptest server: a direct upload with a
// ticket, then a download through a signed URL.
func Example() {
	ctx := context.Background()
	var p *memory.Provider
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.ServeHTTP(w, r)
	}))
	defer srv.Close()
	p = memory.New(&memory.Config{BaseURL: srv.URL})

	body := "hello, media"
	tk, err := p.PrepareDirect(ctx, "alice/01j-hello.txt", &mediastore.DirectOptions{
		ContentType: "text/plain", Size: int64(len(body)), Expiry: time.Minute,
	})
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequest(tk.Method, tk.URL, strings.NewReader(body))
	req.Header = tk.Headers.Clone()
	resp, err := srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println("upload:", resp.Status)

	obj, err := p.Stat(ctx, tk.Key)
	if err != nil {
		panic(err)
	}
	fmt.Println("stored:", obj.Key, obj.Size, obj.ContentType)

	u, err := p.URL(ctx, obj.Key, &mediastore.URLOptions{Expiry: time.Minute})
	if err != nil {
		panic(err)
	}
	resp, err = srv.Client().Get(u)
	if err != nil {
		panic(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("download: %s %q\n", resp.Status, got)
	// Output:
	// upload: 200 OK
	// stored: alice/01j-hello.txt 12 text/plain
	// download: 200 OK "hello, media"
}
