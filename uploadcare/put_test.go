package uploadcare

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/fakes/uploadcarefake"
)

// A crash between Put and Commit leaves only a temporary file, which
// Uploadcare removes after 24 hours; a committed file stays.
func TestPutIsTemporaryUntilCommit(t *testing.T) {
	t.Parallel()
	p, b := setup(t, uploadcarefake.Options{}, nil)
	crashed := mustPut(t, p, "user_1/01crash-a.txt", []byte("never committed"), textPut(15))
	kept := mustPut(t, p, "user_1/01kept-b.txt", []byte("committed"), textPut(9))

	for _, o := range []*mediastore.Object{crashed, kept} {
		if !IsUUID(o.Key) {
			t.Fatalf("Put returned Key %q, want a UUID", o.Key)
		}
		f, ok := b.fake.File(o.Key)
		if !ok || f.Stored || f.Removed {
			t.Fatalf("after Put the fake has %+v (found %t), want a temporary file", f, ok)
		}
		if _, ok := o.Extra["stored"]; ok {
			t.Errorf("Put: Extra = %v, want no stored flag (the row outlives the commit)", o.Extra)
		}
	}
	if f, _ := b.fake.File(crashed.Key); f.Metadata["mediastore_key"] != "user_1/01crash-a.txt" {
		t.Errorf("metadata = %v, want the key", f.Metadata)
	}

	if st, err := p.Stat(t.Context(), crashed.Key); err != nil || st.Extra["stored"] != false {
		t.Fatalf("Stat before Commit = %+v, %v; want a temporary file", st, err)
	}
	if err := p.Commit(t.Context(), kept.Key); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if err := p.Commit(t.Context(), kept.Key); err != nil {
		t.Fatalf("second Commit: %v", err)
	}
	if f, _ := b.fake.File(kept.Key); !f.Stored {
		t.Fatalf("after Commit: %+v, want stored", f)
	}
	st, err := p.Stat(t.Context(), kept.Key)
	if err != nil || st.Extra["stored"] != true {
		t.Fatalf("Stat after Commit = %+v, %v; want stored", st, err)
	}

	// 24 hours later.
	if gone := b.fake.ExpireTemporary(); len(gone) != 1 || gone[0] != crashed.Key {
		t.Fatalf("ExpireTemporary removed %v, want only %s", gone, crashed.Key)
	}
	_, err = p.Stat(t.Context(), crashed.Key)
	requireKind(t, err, mediastore.ErrNotFound)
	requireKind(t, p.Commit(t.Context(), crashed.Key), mediastore.ErrNotFound)
	if _, err := p.Stat(t.Context(), kept.Key); err != nil {
		t.Fatalf("Stat of the committed file: %v", err)
	}
}

func TestKeysThatAreNotUUIDs(t *testing.T) {
	t.Parallel()
	p, _ := setup(t, uploadcarefake.Options{}, nil)
	for _, key := range []string{"user_1/01abc-photo.jpg", "", "../x", "22240276-2f06-41f8-9411-755c8ce926ed/x"} {
		_, err := p.Stat(t.Context(), key)
		requireKind(t, err, mediastore.ErrNotFound)
		if err := p.Delete(t.Context(), key); err != nil {
			t.Errorf("Delete(%q) = %v, want nil", key, err)
		}
		requireKind(t, p.Commit(t.Context(), key), mediastore.ErrNotFound)
		_, err = p.URL(t.Context(), key, &mediastore.URLOptions{})
		requireKind(t, err, mediastore.ErrNotFound)
	}
	// A UUID Uploadcare never issued.
	_, err := p.Stat(t.Context(), "22240276-2f06-41f8-9411-755c8ce926ed")
	requireKind(t, err, mediastore.ErrNotFound)
	requireHTTP(t, err, 404, "Not found.")
	if err := p.Delete(t.Context(), "22240276-2f06-41f8-9411-755c8ce926ed"); err != nil {
		t.Errorf("Delete of an unknown UUID = %v, want nil", err)
	}
}

func TestStatImage(t *testing.T) {
	t.Parallel()
	p, _ := setup(t, uploadcarefake.Options{}, nil)
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 3, 2))); err != nil {
		t.Fatal(err)
	}
	opts := &mediastore.PutOptions{Size: int64(buf.Len()), ContentType: "image/png", ResourceType: "image", Filename: "dots.png"}
	obj := mustPut(t, p, "u/01img-dots.png", buf.Bytes(), opts)
	st, err := p.Stat(t.Context(), obj.Key)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []*mediastore.Object{obj, st} {
		if o.Width != 3 || o.Height != 2 || o.ResourceType != "image" || o.ContentType != "image/png" || o.Size != int64(buf.Len()) {
			t.Errorf("object = %+v, want a 3x2 image/png of %d bytes", o, buf.Len())
		}
		if o.Extra["original_filename"] != "dots.png" {
			t.Errorf("Extra = %v, want original_filename", o.Extra)
		}
		if o.URL != p.Config().CDNBaseURL+"/"+obj.Key+"/" {
			t.Errorf("URL = %q", o.URL)
		}
	}
	if st.ModTime.IsZero() {
		t.Error("Stat: ModTime is zero")
	}
}

// watchReader yields n pseudo-random bytes and records the largest lead of
// what was read over what the fake has received.
type watchReader struct {
	r       io.Reader
	fake    *uploadcarefake.Server
	n       int64
	maxLead atomic.Int64
}

func newWatchReader(fake *uploadcarefake.Server, seed byte, n int64) *watchReader {
	return &watchReader{r: io.LimitReader(rand.NewChaCha8([32]byte{seed}), n), fake: fake}
}

func (w *watchReader) Read(b []byte) (int, error) {
	n, err := w.r.Read(b)
	w.n += int64(n)
	if lead := w.n - w.fake.Received(); lead > w.maxLead.Load() {
		w.maxLead.Store(lead)
	}
	return n, err
}

func randomBytes(seed byte, n int64) []byte {
	b, _ := io.ReadAll(io.LimitReader(rand.NewChaCha8([32]byte{seed}), n))
	return b
}

// A 12 MiB stream of known size goes through the multipart API, byte-exact,
// without ever reading more than two parts ahead of what Uploadcare has.
func TestMultipartBoundedMemory(t *testing.T) {
	t.Parallel()
	p, b := setup(t, uploadcarefake.Options{}, nil)
	const size = 12 << 20
	r := newWatchReader(b.fake, 7, size)
	obj, err := p.Put(t.Context(), "u/01big-big.bin", r, &mediastore.PutOptions{Size: size, ContentType: "application/octet-stream", Filename: "big.bin"})
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	f, _ := b.fake.File(obj.Key)
	if !f.Multipart || f.Stored || f.Size != size || obj.Size != size {
		t.Fatalf("fake file %+v, object %+v; want a temporary multipart file of %d bytes", f, obj, size)
	}
	got, _ := b.fake.Content(obj.Key)
	if sha256.Sum256(got) != sha256.Sum256(randomBytes(7, size)) {
		t.Fatal("stored bytes differ from the stream")
	}
	if lead, limit := r.maxLead.Load(), 2*p.Config().PartSize; lead > limit {
		t.Fatalf("read %d bytes ahead of the upload, want at most two parts (%d)", lead, limit)
	}
	if f.MimeType != "application/octet-stream" || f.OriginalFilename != "big.bin" || f.Metadata["mediastore_key"] != "u/01big-big.bin" {
		t.Errorf("fake file %+v", f)
	}
}

// A stream of unknown size goes to /base/ as it is read.
func TestBaseStreams(t *testing.T) {
	t.Parallel()
	p, b := setup(t, uploadcarefake.Options{}, nil)
	const size = 32 << 20
	r := newWatchReader(b.fake, 8, size)
	obj, err := p.Put(t.Context(), "u/01stream-s.bin", r, &mediastore.PutOptions{Size: -1, ContentType: "application/octet-stream"})
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	f, _ := b.fake.File(obj.Key)
	if f.Multipart || obj.Size != size {
		t.Fatalf("fake file %+v, object %+v", f, obj)
	}
	got, _ := b.fake.Content(obj.Key)
	if sha256.Sum256(got) != sha256.Sum256(randomBytes(8, size)) {
		t.Fatal("stored bytes differ from the stream")
	}
	// Socket buffers hold a few MiB; a buffering Put would lead by 32 MiB.
	if lead := r.maxLead.Load(); lead > 16<<20 {
		t.Fatalf("read %d bytes ahead of the upload, want a streamed body", lead)
	}
	if f.OriginalFilename != "01stream-s.bin" {
		t.Errorf("original filename = %q, want the key's base name", f.OriginalFilename)
	}
}

func TestMultipartRetriesAPart(t *testing.T) {
	t.Parallel()
	p, b := setup(t, uploadcarefake.Options{}, nil)
	data := randomBytes(9, 11<<20)
	b.fake.FailNextParts(1)
	obj := mustPut(t, p, "u/01retry-r.bin", data, &mediastore.PutOptions{Size: int64(len(data))})
	if got, _ := b.fake.Content(obj.Key); !bytes.Equal(got, data) {
		t.Fatal("stored bytes differ")
	}

	b.fake.FailNextParts(partTries)
	_, err := p.Put(t.Context(), "u/01fail-f.bin", bytes.NewReader(data), &mediastore.PutOptions{Size: int64(len(data))})
	requireKind(t, err, mediastore.ErrProvider)
	requireHTTP(t, err, 500, "")
	if strings.Contains(err.Error(), "X-Amz-Signature") || strings.Contains(err.Error(), "SignatureProvided") || strings.Contains(err.Error(), "/multipart/part/") {
		t.Fatalf("error shows the presigned URL or its signature: %v", err)
	}
	if n := len(b.fake.Files()); n != 1 {
		t.Fatalf("the fake has %d files, want only the first", n)
	}
}

func TestSizeMismatch(t *testing.T) {
	t.Parallel()
	p, b := setup(t, uploadcarefake.Options{}, nil)
	for _, tc := range []struct {
		name           string
		declared, real int64
	}{
		{"BaseShorter", 1000, 999},
		{"BaseLonger", 1000, 1001},
		{"MultipartShorter", 11 << 20, 11<<20 - 1},
		{"MultipartLonger", 11 << 20, 11<<20 + 1},
		{"MultipartMuchShorter", 11 << 20, 3 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Put(t.Context(), "u/01size-x.bin", bytes.NewReader(randomBytes(1, tc.real)), &mediastore.PutOptions{Size: tc.declared})
			requireKind(t, err, mediastore.ErrInvalid)
			var se *errSize
			if !errors.As(err, &se) {
				t.Fatalf("error %v, want the size mismatch as cause", err)
			}
		})
	}
	if files := b.fake.Files(); len(files) != 0 {
		t.Fatalf("the fake has %+v, want no file", files)
	}
}

var errBroken = errors.New("stream broke")

type brokenReader struct {
	r     io.Reader
	after int64
}

func (b *brokenReader) Read(p []byte) (int, error) {
	if b.after <= 0 {
		return 0, errBroken
	}
	if int64(len(p)) > b.after {
		p = p[:b.after]
	}
	n, err := b.r.Read(p)
	b.after -= int64(n)
	return n, err
}

func TestFailingStreamLeavesNothing(t *testing.T) {
	t.Parallel()
	p, b := setup(t, uploadcarefake.Options{}, nil)
	for _, size := range []int64{-1, 2 << 20, 11 << 20} {
		r := &brokenReader{r: bytes.NewReader(randomBytes(2, 11<<20)), after: 1 << 20}
		_, err := p.Put(t.Context(), "u/01broken-b.bin", r, &mediastore.PutOptions{Size: size})
		if !errors.Is(err, errBroken) || !errors.Is(err, mediastore.ErrInvalid) {
			t.Fatalf("Put(Size %d) of a failing stream: %v, want the stream's error", size, err)
		}
		// A stream error that has a kind keeps it.
		r = &brokenReader{r: bytes.NewReader(randomBytes(2, 2<<20)), after: 1 << 20}
		tooLarge := mediastore.NewError("Upload", "", "", mediastore.ErrTooLarge, nil)
		_, err = p.Put(t.Context(), "u/01big-b.bin", io.MultiReader(io.LimitReader(r, 1<<20), &failWith{tooLarge}), &mediastore.PutOptions{Size: size})
		if mediastore.KindOf(err) != mediastore.ErrTooLarge {
			t.Fatalf("Put(Size %d) of a stream failing with ErrTooLarge: %v", size, err)
		}
	}
	if files := b.fake.Files(); len(files) != 0 {
		t.Fatalf("the fake has %+v, want no file", files)
	}
}

type failWith struct{ err error }

func (f *failWith) Read([]byte) (int, error) { return 0, f.err }

func TestCancelledPut(t *testing.T) {
	t.Parallel()
	p, b := setup(t, uploadcarefake.Options{}, nil)
	for _, size := range []int64{-1, 11 << 20} {
		ctx, cancel := context.WithCancel(t.Context())
		r := &brokenReader{r: bytes.NewReader(randomBytes(3, 11<<20)), after: 11 << 20}
		_, err := p.Put(ctx, "u/01cancel-c.bin", io.MultiReader(io.LimitReader(r, 1<<20), cancelOnRead(cancel), r), &mediastore.PutOptions{Size: size})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Put(Size %d) cancelled: %v, want context.Canceled", size, err)
		}
	}
	if files := b.fake.Files(); len(files) != 0 {
		t.Fatalf("the fake has %+v, want no file", files)
	}
}

// cancelOnRead cancels when first read and yields nothing.
type cancelOnRead context.CancelFunc

func (c cancelOnRead) Read([]byte) (int, error) {
	c()
	return 0, io.EOF
}

// A failure after the upload (the info lookup) removes the uploaded file.
func TestInfoFailureDiscardsUpload(t *testing.T) {
	t.Parallel()
	p, b := setup(t, uploadcarefake.Options{}, nil)
	b.fake.FailNextInfo(1)
	_, err := p.Put(t.Context(), "u/01info-i.txt", strings.NewReader("hello"), textPut(5))
	requireKind(t, err, mediastore.ErrProvider)
	files := b.fake.Files()
	if len(files) != 1 || !files[0].Removed {
		t.Fatalf("the fake has %+v, want one removed file", files)
	}
}

func TestTooLargeForBase(t *testing.T) {
	t.Parallel()
	p, _ := setup(t, uploadcarefake.Options{BaseLimit: 1000}, nil)
	_, err := p.Put(t.Context(), "u/01large-l.bin", strings.NewReader(strings.Repeat("x", 2000)), &mediastore.PutOptions{Size: -1})
	requireKind(t, err, mediastore.ErrTooLarge)
	requireHTTP(t, err, 413, "File is too large.")
}

func TestLongKeyMetadataDigest(t *testing.T) {
	t.Parallel()
	p, b := setup(t, uploadcarefake.Options{}, nil)
	key := "u/01long-" + strings.Repeat("é", 600) + ".txt"
	obj := mustPut(t, p, key, []byte("long"), textPut(4))
	f, _ := b.fake.File(obj.Key)
	if v := f.Metadata["mediastore_key"]; !strings.HasPrefix(v, "sha256:") || len(v) != 7+64 {
		t.Fatalf("metadata %q, want the key's digest", v)
	}
	if got, err := p.VerifyDirect(t.Context(), key, map[string]string{"uuid": obj.Key}); err != nil || got.Key != obj.Key {
		t.Fatalf("VerifyDirect with the long key = %+v, %v", got, err)
	}
}
