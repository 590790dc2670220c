package disk_test

import (
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/provider/disk"
)

const benchSize = 64 << 20

func benchStream() io.Reader {
	return io.LimitReader(rand.NewChaCha8([32]byte{7}), benchSize)
}

// BenchmarkPut measures Put of a 64 MiB stream of unknown length; compare
// with BenchmarkCopyToFile, a plain io.Copy of the same stream to a file.
func BenchmarkPut(b *testing.B) {
	for _, sync := range []bool{true, false} {
		name := "Sync"
		if !sync {
			name = "NoSync"
		}
		b.Run(name, func(b *testing.B) {
			p, err := disk.New(disk.Config{Dir: b.TempDir(), NoSync: !sync})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(benchSize)
			for b.Loop() {
				if _, err := p.Put(b.Context(), "bench/file.bin", benchStream(), &mediastore.PutOptions{Size: -1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCopyToFile(b *testing.B) {
	dir := b.TempDir()
	b.SetBytes(benchSize)
	for b.Loop() {
		f, err := os.Create(filepath.Join(dir, "file.bin"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(f, benchStream()); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
