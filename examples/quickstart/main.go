// Command quickstart runs the whole life of one file once and prints each
// step: upload, record, list, signed URL, download through the disk
// provider's handler, delete, sweep.
//
//	go run ./examples/quickstart
//
// It needs nothing configured. Files go to ./mediastore-data (the disk
// provider). Metadata goes to PostgreSQL at DATABASE_URL; when that is unset
// it starts a throwaway PostgreSQL (Docker through testcontainers-go when an
// engine answers, else the local initdb/postgres binaries), and only when
// neither exists it uses the in-memory store and says so.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/pglocal"
	"github.com/mediastore/mediastore/provider/disk"
	"github.com/mediastore/mediastore/store/memstore"
	"github.com/mediastore/mediastore/store/pgstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	// 1. The metadata store.
	store, closeStore, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer closeStore()

	// 2. The disk provider, served on loopback so its signed URLs work.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	dir, _ := filepath.Abs("mediastore-data")
	p, err := disk.New(disk.Config{Dir: dir, BaseURL: "http://" + ln.Addr().String() + "/media"})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/media/", http.StripPrefix("/media", p))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	fmt.Println("provider: disk folder", dir, "served at", "http://"+ln.Addr().String()+"/media")

	client, err := mediastore.New(p, store, &mediastore.Config{AllowedTypes: []string{"image/*"}, URLExpiry: 10 * time.Minute})
	if err != nil {
		return err
	}

	// 3. Upload a real PNG, streamed: type sniffed, size counted, SHA-256
	// computed on the way.
	img := makePNG()
	const owner = "user_123"
	f, err := client.Upload(ctx, owner, bytes.NewReader(img), &mediastore.UploadOptions{Filename: "gradient.png"})
	if err != nil {
		return err
	}
	fmt.Printf("uploaded: id=%s key=%s type=%s size=%d sha256=%s status=%s\n", f.ID, f.Key, f.ContentType, f.Size, f.SHA256[:16]+"…", f.Status)

	// 4. List the owner's files.
	page, err := client.List(ctx, owner, &mediastore.ListOptions{Limit: 10})
	if err != nil {
		return err
	}
	fmt.Printf("listed: %d file(s) for %s, newest %s\n", len(page.Files), owner, page.Files[0].Filename)

	// 5. A signed, expiring URL, downloaded back through the disk handler.
	u, err := client.URL(ctx, owner, f.ID, nil)
	if err != nil {
		return err
	}
	fmt.Println("signed URL:", u)
	got, err := download(ctx, u)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(got)
	if hex.EncodeToString(sum[:]) != f.SHA256 {
		return errors.New("downloaded bytes differ from the upload")
	}
	fmt.Printf("downloaded: %d bytes, SHA-256 matches the record\n", len(got))

	// 6. Another owner sees nothing.
	if _, err := client.Get(ctx, "someone_else", f.ID); errors.Is(err, mediastore.ErrNotFound) {
		fmt.Println("isolation: someone_else gets not found")
	}

	// 7. Delete: tombstone, object, row.
	if err := client.Delete(ctx, owner, f.ID); err != nil {
		return err
	}
	_, err = client.Get(ctx, owner, f.ID)
	fmt.Println("deleted: get now says", err)

	// 8. The sweeper finishes anything a crash would have left.
	res, err := client.NewSweeper(nil).RunOnce(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("swept: claimed %d, removed %d, failed %d\n", res.Claimed, res.Removed, res.Failed)
	fmt.Println("done")
	return nil
}

// openStore returns PostgreSQL from DATABASE_URL, else a throwaway server,
// else the memory store.
func openStore(ctx context.Context) (mediastore.MetadataStore, func(), error) {
	url := os.Getenv("DATABASE_URL")
	var srv *pglocal.Server
	if url == "" {
		fmt.Println("store: DATABASE_URL is unset, starting a throwaway PostgreSQL…")
		s, err := pglocal.Start(ctx, nil)
		if err != nil {
			fmt.Println("store: no PostgreSQL available (" + err.Error() + "); using the in-memory store")
			return memstore.New(), func() {}, nil
		}
		srv, url = s, s.URL()
		fmt.Println("store: throwaway PostgreSQL via", s.How)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		closeServer(srv)
		return nil, nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	res, err := pgstore.Migrate(ctx, pool, nil)
	if err != nil {
		pool.Close()
		closeServer(srv)
		return nil, nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	fmt.Printf("store: PostgreSQL, migrations applied %v (latest %d)\n", res.Up, pgstore.LatestVersion())
	st, err := pgstore.New(pool, nil)
	if err != nil {
		pool.Close()
		closeServer(srv)
		return nil, nil, err
	}
	return st, func() { pool.Close(); closeServer(srv) }, nil
}

func closeServer(s *pglocal.Server) {
	if s != nil {
		s.Close()
	}
}

func download(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET signed URL: %s", resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// makePNG draws a small gradient.
func makePNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 4), 128, 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}
