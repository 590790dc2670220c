package uploadcare

import (
	"bytes"
	"context"
	"encoding/json"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/fakes/uploadcarefake"
	"github.com/mediastore/mediastore/store/memstore"
)

// crashAtCommit is the provider of a process that dies when it is about to
// store the file: Commit ends the calling goroutine without returning, so
// no code after it (no compensation) runs.
type crashAtCommit struct {
	*Provider
}

func (crashAtCommit) Commit(context.Context, string) error {
	runtime.Goexit()
	return nil
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func rows(t *testing.T, s *memstore.Store, owner string, status mediastore.Status) []*mediastore.File {
	t.Helper()
	res, err := s.List(t.Context(), &mediastore.ListParams{Owner: owner, Status: status, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return res.Files
}

// The flow killed between upload and store leaves a temporary file, which
// Uploadcare removes after 24 hours, and no ready row; the sweeper removes
// the pending row.
func TestClientCrashBetweenUploadAndStore(t *testing.T) {
	t.Parallel()
	p, b := setup(t, uploadcarefake.Options{}, nil)
	store := memstore.New()
	clk := &clock{t: time.Now()}
	cfg := &mediastore.Config{Test: mediastore.TestConfig{Now: clk.Now}}
	crashing, err := mediastore.New(crashAtCommit{p}, store, cfg)
	if err != nil {
		t.Fatal(err)
	}

	returned := false
	done := make(chan struct{})
	go func() {
		defer close(done)
		crashing.Upload(t.Context(), "user_123", bytes.NewReader([]byte("the crash victim")), &mediastore.UploadOptions{Filename: "victim.txt"})
		returned = true
	}()
	<-done
	if returned {
		t.Fatal("Upload returned: the provider never reached Commit")
	}

	files := b.fake.Files()
	if len(files) != 1 || files[0].Stored || files[0].Removed {
		t.Fatalf("after the crash the fake has %+v, want one temporary file", files)
	}
	if ready := rows(t, store, "user_123", mediastore.StatusReady); len(ready) != 0 {
		t.Fatalf("ready rows after the crash: %+v", ready)
	}
	pending := rows(t, store, "user_123", mediastore.StatusPending)
	if len(pending) != 1 || pending[0].Key != files[0].UUID {
		t.Fatalf("pending rows %+v, want one that knows the UUID %s", pending, files[0].UUID)
	}

	// A day later Uploadcare has removed the temporary file, and the
	// sweeper finishes the abandoned row.
	if gone := b.fake.ExpireTemporary(); len(gone) != 1 {
		t.Fatalf("ExpireTemporary removed %v", gone)
	}
	clk.Add(24 * time.Hour)
	healthy, err := mediastore.New(p, store, cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := healthy.NewSweeper(nil).RunOnce(t.Context())
	if err != nil || res.Removed != 1 {
		t.Fatalf("sweep = %+v, %v; want the row removed", res, err)
	}
	for _, st := range []mediastore.Status{mediastore.StatusPending, mediastore.StatusReady, mediastore.StatusDeleting} {
		if left := rows(t, store, "user_123", st); len(left) != 0 {
			t.Fatalf("%s rows left: %+v", st, left)
		}
	}
}

func TestClientFlows(t *testing.T) {
	t.Parallel()
	p, b := setup(t, uploadcarefake.Options{SignedUploads: true}, nil)
	client, err := mediastore.New(p, memstore.New(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	// Server-side upload: stored at Uploadcare, ready in the store.
	f, err := client.Upload(ctx, "user_123", bytes.NewReader([]byte("uploaded by the server")), &mediastore.UploadOptions{Filename: "server.txt"})
	if err != nil {
		t.Fatalf("Upload: %v", err)
	}
	if fake, ok := b.fake.File(f.Key); !ok || !fake.Stored || f.Status != mediastore.StatusReady || f.URL != b.fake.CDNURL+"/"+f.Key+"/" {
		t.Fatalf("Upload = %+v; fake %+v", f, fake)
	}

	// Direct upload: ticket, browser POST, confirm with Uploadcare's answer.
	tk, err := client.PrepareUpload(ctx, "user_123", &mediastore.PrepareRequest{Filename: "direct.txt", ContentType: "text/plain"})
	if err != nil {
		t.Fatalf("PrepareUpload: %v", err)
	}
	code, body := execTicket(t, tk, "direct.txt", []byte("uploaded by the browser"))
	if code != 200 {
		t.Fatalf("upload: %d %s", code, body)
	}
	var answer map[string]string
	json.Unmarshal(body, &answer)
	// Another owner cannot confirm it.
	if _, err := client.ConfirmUpload(ctx, "user_456", &mediastore.ConfirmRequest{Key: tk.Key, Proof: answer}); err == nil {
		t.Fatal("another owner confirmed the upload")
	}
	df, err := client.ConfirmUpload(ctx, "user_123", &mediastore.ConfirmRequest{Key: tk.Key, Proof: answer})
	if err != nil {
		t.Fatalf("ConfirmUpload: %v", err)
	}
	if fake, _ := b.fake.File(answer["file"]); df.Key != answer["file"] || !fake.Stored || df.Size != int64(len("uploaded by the browser")) {
		t.Fatalf("ConfirmUpload = %+v; fake %+v", df, fake)
	}
	again, err := client.ConfirmUpload(ctx, "user_123", &mediastore.ConfirmRequest{Key: tk.Key, Proof: answer})
	if err != nil || again.ID != df.ID {
		t.Fatalf("second ConfirmUpload = %+v, %v", again, err)
	}

	// Delete removes the file at Uploadcare.
	if err := client.Delete(ctx, "user_123", df.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if fake, _ := b.fake.File(df.Key); !fake.Removed {
		t.Fatalf("after Delete the fake has %+v", fake)
	}
}
