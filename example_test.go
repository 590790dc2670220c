package mediastore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/memory"
	"github.com/mediastore/mediastore/store/memstore"
)

// A tiny PNG: the signature and the start of an IHDR chunk are enough for
// the content type to be sniffed as image/png.
var examplePNG = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 100)...)

// The whole life of a file: upload, list, URL, delete. The memory provider
// and store make it run anywhere; a real app uses r2, b2, cloudinary or
// uploadcare with pgstore.
func Example_quickstart() {
	ctx := context.Background()
	client, err := mediastore.New(memory.New(nil), memstore.New(), &mediastore.Config{
		AllowedTypes: []string{"image/*"},
	})
	if err != nil {
		log.Fatal(err)
	}

	f, err := client.Upload(ctx, "user_123", bytes.NewReader(examplePNG), &mediastore.UploadOptions{Filename: "cat.png"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("uploaded:", f.Filename, f.ContentType, f.Size, "bytes,", f.Status)

	page, err := client.List(ctx, "user_123", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("files:", len(page.Files))

	if err := client.Delete(ctx, "user_123", f.ID); err != nil {
		log.Fatal(err)
	}
	_, err = client.Get(ctx, "user_123", f.ID)
	fmt.Println("after delete:", errors.Is(err, mediastore.ErrNotFound))
	// Output:
	// uploaded: cat.png image/png 116 bytes, ready
	// files: 1
	// after delete: true
}

// Types are sniffed from the bytes; the client's file name proves nothing.
func ExampleClient_Upload_typeNotAllowed() {
	client, _ := mediastore.New(memory.New(nil), memstore.New(), &mediastore.Config{AllowedTypes: []string{"image/*"}})
	_, err := client.Upload(context.Background(), "user_123", strings.NewReader("#!/bin/sh\necho hi"), &mediastore.UploadOptions{Filename: "cat.png"})
	fmt.Println(errors.Is(err, mediastore.ErrTypeNotAllowed))
	fmt.Println(err)
	// Output:
	// true
	// mediastore: Upload memory: content type not allowed: detected text/plain
}

// A direct upload: the server prepares a ticket, the client sends the file
// straight to the provider, and the server confirms it, checking what the
// provider really holds.
func ExampleClient_PrepareUpload() {
	ctx := context.Background()
	var p *memory.Provider
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.ServeHTTP(w, r) }))
	defer srv.Close()
	p = memory.New(&memory.Config{BaseURL: srv.URL})
	client, _ := mediastore.New(p, memstore.New(), &mediastore.Config{AllowedTypes: []string{"image/*"}})

	// Server: issue a ticket bound to the owner, the type and the length.
	tk, err := client.PrepareUpload(ctx, "user_123", &mediastore.PrepareRequest{
		Filename: "cat.png", ContentType: "image/png", Size: int64(len(examplePNG)),
	})
	if err != nil {
		log.Fatal(err)
	}

	// Client: send the bytes exactly as the ticket says.
	req, _ := http.NewRequest(tk.Method, tk.URL, bytes.NewReader(examplePNG))
	for k, v := range tk.Headers {
		req.Header[k] = v
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	// Server: confirm. Only the key comes from the client.
	f, err := client.ConfirmUpload(ctx, "user_123", &mediastore.ConfirmRequest{Key: tk.Key})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tk.Method, resp.StatusCode, f.Status, f.ContentType, f.Size)

	// Another owner cannot confirm the ticket.
	_, err = client.ConfirmUpload(ctx, "someone_else", &mediastore.ConfirmRequest{Key: tk.Key})
	fmt.Println(errors.Is(err, mediastore.ErrForbidden))
	// Output:
	// PUT 200 ready image/png 116
	// true
}

// All iterates over every page of an owner's files.
func ExampleClient_All() {
	ctx := context.Background()
	client, _ := mediastore.New(memory.New(nil), memstore.New(), nil)
	for i := range 5 {
		client.Upload(ctx, "user_123", strings.NewReader(fmt.Sprintf("note %d", i)), &mediastore.UploadOptions{Filename: fmt.Sprintf("note%d.txt", i)})
	}
	n := 0
	for f, err := range client.All(ctx, "user_123", &mediastore.ListOptions{Limit: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		n++
		_ = f
	}
	fmt.Println(n, "files")
	// Output:
	// 5 files
}

// The sweeper finishes what crashes leave behind. RunOnce suits tests and
// cron jobs; Start runs it in the background.
func ExampleSweeper_RunOnce() {
	client, _ := mediastore.New(memory.New(nil), memstore.New(), nil)
	sw := client.NewSweeper(nil)
	res, err := sw.RunOnce(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("claimed %d, removed %d, failed %d\n", res.Claimed, res.Removed, res.Failed)
	// Output:
	// claimed 0, removed 0, failed 0
}
