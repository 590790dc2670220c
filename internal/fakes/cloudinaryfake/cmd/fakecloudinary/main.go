// Command fakecloudinary runs the test fake of Cloudinary
// (internal/fakes/cloudinaryfake) on its own, to try examples/cloudinary
// with curl on a machine that cannot reach Cloudinary:
//
//	go run ./internal/fakes/cloudinaryfake/cmd/fakecloudinary
//
// It serves the Upload API, the Admin API and delivery on -addr (default
// 127.0.0.1:9400) and prints the variables that point the example at it.
// It keeps every asset in memory, checks every signature as Cloudinary
// does, and stops on Ctrl-C.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/mediastore/mediastore/internal/fakes/cloudinaryfake"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9400", "address to listen on")
	flag.Parse()
	fake := cloudinaryfake.New(nil)
	defer fake.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakecloudinary:", err)
		os.Exit(2)
	}
	outer := "http://" + ln.Addr().String()
	o := fake.Options()
	fmt.Printf("export CLOUDINARY_CLOUD_NAME=%s\nexport CLOUDINARY_API_KEY=%s\nexport CLOUDINARY_API_SECRET=%s\n", o.CloudName, o.APIKey, o.APISecret)
	fmt.Printf("export CLOUDINARY_API_BASE_URL=%s\nexport CLOUDINARY_DELIVERY_BASE_URL=%s\n", outer, outer)
	fmt.Fprintf(os.Stderr, "fake Cloudinary listening on %s (Ctrl-C stops it)\n", outer)

	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, os.Interrupt)
		<-stop
		ln.Close()
	}()
	// The fake is an httptest server on a port of its own; this proxy
	// gives it a fixed address and rewrites the URLs in its answers.
	srv := &http.Server{Handler: proxy(fake.URL, outer)}
	if err := srv.Serve(ln); err != nil && !strings.Contains(err.Error(), "closed") {
		fmt.Fprintln(os.Stderr, "fakecloudinary:", err)
	}
}

// proxy forwards to inner and writes outer for inner in JSON answers.
func proxy(inner, outer string) http.Handler {
	target, _ := url.Parse(inner)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			return nil
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		b = bytes.ReplaceAll(b, []byte(inner+"/"), []byte(outer+"/"))
		resp.Body = io.NopCloser(bytes.NewReader(b))
		resp.ContentLength = int64(len(b))
		resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	return rp
}
