package disk_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/disk"
)

// A disk Provider whose handler is mounted at /media: Put, then download
// through a signed URL.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "media")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	var p *disk.Provider
	mux := http.NewServeMux()
	mux.Handle("/media/", http.StripPrefix("/media", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.ServeHTTP(w, r)
	})))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	p, err = disk.New(disk.Config{Dir: dir, BaseURL: srv.URL + "/media"})
	if err != nil {
		panic(err)
	}

	body := "hello, disk"
	obj, err := p.Put(ctx, "alice/01j-hello.txt", strings.NewReader(body), &mediastore.PutOptions{
		Size: int64(len(body)), ContentType: "text/plain; charset=utf-8",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("stored:", obj.Key, obj.Size, obj.SHA256[:12])

	u, err := p.URL(ctx, obj.Key, &mediastore.URLOptions{Expiry: time.Minute})
	if err != nil {
		panic(err)
	}
	resp, err := srv.Client().Get(u)
	if err != nil {
		panic(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("download: %s %s %q\n", resp.Status, resp.Header.Get("Content-Type"), got)

	if err := p.Delete(ctx, obj.Key); err != nil {
		panic(err)
	}
	resp, err = srv.Client().Get(u)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println("after delete:", resp.Status)
	// Output:
	// stored: alice/01j-hello.txt 11 b94d0fa82acb
	// download: 200 OK text/plain; charset=utf-8 "hello, disk"
	// after delete: 404 Not Found
}
