// Command fakeuploadcare runs the test fake of Uploadcare
// (internal/fakes/uploadcarefake) on its own, to try examples/uploadcare
// with curl on a machine that cannot reach Uploadcare, and for benchmarks:
//
//	go run ./internal/fakes/uploadcarefake/cmd/fakeuploadcare
//
// It serves the Upload API, the REST API and the CDN on -upload-addr,
// -api-addr and -cdn-addr (default 127.0.0.1:9500, 9501, 9502; an empty
// address serves on a port of the fake's own choosing) and prints the
// variables that point the example at it, one "export NAME=value" line
// each, once it is ready. It keeps files in memory (with -discard only
// their size and first 512 bytes), checks keys and signatures as Uploadcare
// does, and stops on Ctrl-C or SIGTERM.
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
	"syscall"

	"github.com/mediastore/mediastore/internal/fakes/uploadcarefake"
)

func main() {
	uploadAddr := flag.String("upload-addr", "127.0.0.1:9500", "address of the Upload API (empty: the fake's own port)")
	apiAddr := flag.String("api-addr", "127.0.0.1:9501", "address of the REST API (empty: the fake's own port)")
	cdnAddr := flag.String("cdn-addr", "127.0.0.1:9502", "address of the CDN (empty: the fake's own port)")
	discard := flag.Bool("discard", false, "keep only the size and first 512 bytes of each file")
	flag.Parse()
	fake := uploadcarefake.New(uploadcarefake.Options{DiscardContent: *discard})
	defer fake.Close()

	// Each service is an httptest server on a port of its own; a proxy
	// gives it a fixed address and rewrites the URLs in the answers.
	var rewrite, inners []string
	var lns []net.Listener
	urls := map[string]string{}
	for _, s := range []struct{ env, addr, inner string }{
		{"UPLOADCARE_UPLOAD_BASE_URL", *uploadAddr, fake.UploadURL},
		{"UPLOADCARE_API_BASE_URL", *apiAddr, fake.APIURL},
		{"UPLOADCARE_CDN_BASE_URL", *cdnAddr, fake.CDNURL},
	} {
		urls[s.env] = s.inner
		if s.addr == "" {
			continue
		}
		ln, err := net.Listen("tcp", s.addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "fakeuploadcare:", err)
			os.Exit(2)
		}
		lns = append(lns, ln)
		urls[s.env] = "http://" + ln.Addr().String()
		inners = append(inners, s.inner)
		rewrite = append(rewrite, s.inner+"/", urls[s.env]+"/")
	}
	replacer := strings.NewReplacer(rewrite...)
	for i, ln := range lns {
		inner := inners[i]
		go func() {
			srv := &http.Server{Handler: proxy(inner, replacer)}
			_ = srv.Serve(ln)
		}()
	}
	fmt.Printf("export UPLOADCARE_PUBLIC_KEY=%s\nexport UPLOADCARE_SECRET_KEY=%s\n", fake.PublicKey(), fake.SecretKey())
	for _, env := range []string{"UPLOADCARE_UPLOAD_BASE_URL", "UPLOADCARE_API_BASE_URL", "UPLOADCARE_CDN_BASE_URL"} {
		fmt.Printf("export %s=%s\n", env, urls[env])
	}
	fmt.Fprintln(os.Stderr, "fake Uploadcare ready (Ctrl-C stops it)")

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	for _, ln := range lns {
		ln.Close()
	}
}

// proxy forwards to inner and rewrites the fake's own URLs in JSON answers.
func proxy(inner string, r *strings.Replacer) http.Handler {
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
		b = []byte(r.Replace(string(b)))
		resp.Body = io.NopCloser(bytes.NewReader(b))
		resp.ContentLength = int64(len(b))
		resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	return rp
}
