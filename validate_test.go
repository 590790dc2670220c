package mediastore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

func newTestReader(data []byte, declared, max int64, gate func() error) *uploadReader {
	head := data[:min(len(data), sniffLen)]
	return &uploadReader{head: append([]byte(nil), head...), r: bytes.NewReader(data[len(head):]), max: max,
		declared: declared, h: sha256.New(), gate: gate}
}

func okGate() error { return nil }

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestUploadReaderHashesBothPaths(t *testing.T) {
	t.Parallel()
	data := randomBytes(3*hashChunk+12345, 1)
	want := sha256.Sum256(data)
	for _, declared := range []int64{-1, int64(len(data))} {
		// io.Reader path, in odd-sized reads.
		u := newTestReader(data, declared, 1<<30, okGate)
		got, err := io.ReadAll(iotest.OneByteReader(io.LimitReader(u, 1<<40)))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("Read path: err %v, equal %v", err, bytes.Equal(got, data))
		}
		if sum := u.sum(); sum != hex.EncodeToString(want[:]) {
			t.Fatalf("Read path hash %s", sum)
		}
		// io.WriterTo path.
		u = newTestReader(data, declared, 1<<30, okGate)
		var buf bytes.Buffer
		n, err := u.WriteTo(&buf)
		if err != nil || n != int64(len(data)) || !bytes.Equal(buf.Bytes(), data) {
			t.Fatalf("WriteTo path: n %d err %v", n, err)
		}
		if sum := u.sum(); sum != hex.EncodeToString(want[:]) {
			t.Fatalf("WriteTo path hash %s", sum)
		}
	}
}

func TestUploadReaderLimits(t *testing.T) {
	t.Parallel()
	data := randomBytes(10_000, 2)
	cases := []struct {
		name     string
		declared int64
		max      int64
		want     error
	}{
		{"over max", -1, 9_999, ErrTooLarge},
		{"declared shorter", 9_000, 1 << 20, errSizeMismatch},
		{"declared longer", 11_000, 1 << 20, errSizeMismatch},
	}
	for _, c := range cases {
		u := newTestReader(data, c.declared, c.max, okGate)
		_, err := io.Copy(io.Discard, u)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.want)
		}
	}
}

func TestUploadReaderGateHoldsTheEnd(t *testing.T) {
	t.Parallel()
	data := randomBytes(5000, 3)
	gateErr := errors.New("intent failed")
	for _, declared := range []int64{-1, 5000} {
		called := false
		u := newTestReader(data, declared, 1<<20, func() error { called = true; return gateErr })
		got, err := io.ReadAll(u)
		if !errors.Is(err, gateErr) || !called {
			t.Fatalf("declared %d: err %v called %v", declared, err, called)
		}
		// With a declared size the last bytes are held back; without one the
		// stream's end (EOF) is replaced by the error. Either way the
		// provider never sees a complete stream.
		if declared >= 0 && len(got) >= len(data) {
			t.Fatalf("declared %d: the whole stream was delivered before the gate (%d bytes)", declared, len(got))
		}
	}
}

func TestTypeAllowed(t *testing.T) {
	t.Parallel()
	if !typeAllowed(nil, "application/x-anything") {
		t.Fatal("empty list must allow everything")
	}
	pats := []string{"image/*", "application/pdf"}
	for ct, want := range map[string]bool{
		"image/png": true, "image/jpeg": true, "application/pdf": true,
		"text/plain; charset=utf-8": false, "application/pdfx": false, "imagex/png": false, "video/mp4": false,
	} {
		if got := typeAllowed(pats, ct); got != want {
			t.Errorf("typeAllowed(%q) = %v", ct, got)
		}
	}
}
