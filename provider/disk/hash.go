package disk

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"os"
	"sync/atomic"
)

// trailHasher computes the SHA-256 of a file while it is being written, by
// reading back what the writer has already written (pread on the same
// descriptor, served from the page cache). Hashing the writer's own
// buffers on another goroutine would share their cache lines between two
// cores and slow the writer down; reading the file back costs the writer
// nothing, and the digest is of what was stored, not of what was sent.
type trailHasher struct {
	f       *os.File
	written atomic.Int64 // bytes the writer has written
	ended   atomic.Bool  // the writer is done; written is final
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	h       hash.Hash
	err     error // set by the goroutine, read after done
}

// newTrailHasher starts hashing f, which must be open for reading and
// writing, from offset 0.
func newTrailHasher(f *os.File) *trailHasher {
	t := &trailHasher{
		f:    f,
		wake: make(chan struct{}, 1),
		stop: make(chan struct{}),
		done: make(chan struct{}),
		h:    sha256.New(),
	}
	go t.run()
	return t
}

func (t *trailHasher) run() {
	defer close(t.done)
	buf := make([]byte, copyBuf)
	var off int64
	for {
		select {
		case <-t.stop:
			return
		default:
		}
		ended := t.ended.Load() // before written: once ended, written is final
		if w := t.written.Load(); off < w {
			n, err := t.f.ReadAt(buf[:min(int64(len(buf)), w-off)], off)
			t.h.Write(buf[:n])
			off += int64(n)
			if err != nil && err != io.EOF {
				t.err = err
				return
			}
			if n == 0 {
				t.err = io.ErrUnexpectedEOF
				return
			}
			continue
		}
		if ended {
			return
		}
		select {
		case <-t.wake:
		case <-t.stop:
			return
		}
	}
}

// Write writes p to the file and lets the hasher read it.
func (t *trailHasher) Write(p []byte) (int, error) {
	n, err := t.f.Write(p)
	if n > 0 {
		t.written.Add(int64(n))
		select {
		case t.wake <- struct{}{}:
		default:
		}
	}
	return n, err
}

// end reports that the writer is done and lets the hasher finish; sum
// waits for it.
func (t *trailHasher) end() {
	t.ended.Store(true)
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// sum waits for the hasher to read everything written and returns the hex
// digest. Call end first.
func (t *trailHasher) sum() (string, error) {
	<-t.done
	if t.err != nil {
		return "", t.err
	}
	return hex.EncodeToString(t.h.Sum(nil)), nil
}

// abort stops the hasher, without a digest if sum has not returned, and
// waits for it. It may be called more than once, and after sum.
func (t *trailHasher) abort() {
	select {
	case <-t.stop:
	default:
		close(t.stop)
	}
	<-t.done
}
