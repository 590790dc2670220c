package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/disk"
	"github.com/mediastore/mediastore/store/pgstore"
)

func init() {
	register(scenario{name: "disk/raw io.Copy to a file", group: "disk", desc: "stream; baseline: io.Copy of the stream to a file", run: rawCopy})
	register(scenario{name: "disk/Client.Upload (disk + PostgreSQL)", group: "disk", desc: "stream; intent row, sniff, limit, SHA-256, temp file + rename, ready row", run: diskUpload})
}

func rawCopy(env *benchEnv, size int64) (int, error) {
	f, err := os.CreateTemp(env.dir, "raw-")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	if _, err := io.Copy(f, newStream(size)); err != nil {
		return 0, err
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	return 1, f.Close()
}

func diskUpload(env *benchEnv, size int64) (int, error) {
	ctx := context.Background()
	pool, err := env.db(ctx)
	if err != nil {
		return 0, err
	}
	st, err := pgstore.New(pool, nil)
	if err != nil {
		return 0, err
	}
	dir := filepath.Join(env.dir, "disk")
	p, err := disk.New(disk.Config{Dir: dir, BaseURL: "http://127.0.0.1:1/media"})
	if err != nil {
		return 0, err
	}
	c, err := mediastore.New(p, st, &mediastore.Config{MaxSize: size + 1})
	if err != nil {
		return 0, err
	}
	f, err := c.Upload(ctx, "bench", newStream(size), &mediastore.UploadOptions{Filename: "big.png", Size: size})
	if err != nil {
		return 0, err
	}
	if f.Size != size {
		return 0, errors.New("size differs")
	}
	// Removed in both scenarios, so that the page cache of earlier runs
	// does not weigh on later ones.
	return 1, c.Delete(ctx, "bench", f.ID)
}
