package mediastore_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/provider/disk"
	"github.com/mediastore/mediastore/store/pgstore"
)

// The crash tests run the flows in a child process (this test binary again)
// that SIGKILLs itself at one step; a sweep from the parent, a fresh
// process as far as the flow is concerned, must then leave no object that
// no row knows and no row whose object is gone.

const (
	envCrashStep   = "MEDIASTORE_CRASH_STEP"
	envCrashSchema = "MEDIASTORE_CRASH_SCHEMA"
	envCrashDir    = "MEDIASTORE_CRASH_DIR"
)

// crashSteps are the points at which the child dies.
var crashSteps = []string{
	"after-intent",          // pending row recorded, provider not called
	"mid-upload",            // half the bytes sent to the provider
	"after-upload",          // object stored, row still pending
	"after-tombstone",       // row marked deleting, object still there
	"after-provider-delete", // object deleted, row still deleting
}

func TestCrash(t *testing.T) {
	t.Parallel()
	if os.Getenv(envCrashStep) != "" {
		t.Skip("child process")
	}
	ctx := context.Background()
	url := testdb.Pool(ctx, t).Config().ConnString()
	for _, step := range crashSteps {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			schema := testdb.MigratedSchema(ctx, t)
			dir := t.TempDir()
			store := newCrashStore(t, ctx, schema)
			p := newCrashDisk(t, dir)

			// A file that must survive everything.
			live, err := mustClient(t, p, store, time.Now).Upload(ctx, "victor", bytes.NewReader(pngBytes(4096, 1)), nil)
			if err != nil {
				t.Fatal(err)
			}
			var target string
			if strings.HasPrefix(step, "after-tomb") || strings.HasPrefix(step, "after-provider") {
				f, err := mustClient(t, p, store, time.Now).Upload(ctx, "victor", bytes.NewReader(pngBytes(4096, 2)), nil)
				if err != nil {
					t.Fatal(err)
				}
				target = f.ID
			}

			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v")
			cmd.Env = append(os.Environ(), envCrashStep+"="+step, envCrashSchema+"="+schema, envCrashDir+"="+dir,
				testdb.EnvURL+"="+url, "MEDIASTORE_CRASH_TARGET="+target)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child was not killed at %s: %v\n%s", step, err, out)
			}

			// Before the sweep the crash is visible; after it, repaired.
			rows := allRows(t, store, "victor")
			if len(rows) != 2 {
				t.Fatalf("after the crash: %d rows, want the live one and the crashed one", len(rows))
			}
			later := func() time.Time { return time.Now().Add(mediastore.DefaultPendingTTL + time.Hour) }
			res, err := mustClient(t, p, store, later).NewSweeper(nil).RunOnce(ctx)
			if err != nil || res.Failed != 0 || res.Removed != 1 {
				t.Fatalf("sweep: %+v %v", res, err)
			}
			rows = allRows(t, store, "victor")
			if len(rows) != 1 || rows[0].ID != live.ID || rows[0].Status != mediastore.StatusReady {
				t.Fatalf("after the sweep: rows %+v", rows)
			}
			objs := listObjects(t, p)
			if len(objs) != 1 || objs[0] != live.Key {
				t.Fatalf("after the sweep: objects %v, want only %s", objs, live.Key)
			}
		})
	}
}

// TestCrashChild is the child half of TestCrash.
func TestCrashChild(t *testing.T) {
	step := os.Getenv(envCrashStep)
	if step == "" {
		t.Skip("only run as TestCrash's child")
	}
	ctx := context.Background()
	store := newCrashStore(t, ctx, os.Getenv(envCrashSchema))
	p := newCrashDisk(t, os.Getenv(envCrashDir))
	die := func() { syscall.Kill(os.Getpid(), syscall.SIGKILL); select {} }

	hp := &hookProvider{Provider: p}
	hs := &hookStore{MetadataStore: store}
	var crashStore mediastore.MetadataStore = hs
	switch step {
	case "after-intent":
		hp.putHook = func(ctx context.Context, key string) error {
			// The intent is written beside the stream: wait until it is
			// committed, then die before the provider sees a byte.
			for {
				if _, err := store.GetByKey(ctx, &mediastore.GetByKeyParams{Owner: "victor", Provider: "disk", Key: key}); err == nil {
					die()
				}
				time.Sleep(time.Millisecond)
			}
		}
	case "after-upload":
		hs.setStatusHook = func(p *mediastore.SetStatusParams) error {
			if p.To == mediastore.StatusReady {
				die()
			}
			return nil
		}
	case "after-tombstone":
		hp.deleteHook = func(string) error { die(); return nil }
	case "after-provider-delete":
		crashStore = &dieOnDelete{hookStore: hs, die: die}
	}
	c := mustClient(t, hp, crashStore, time.Now)
	switch step {
	case "after-intent", "after-upload":
		c.Upload(ctx, "victor", bytes.NewReader(pngBytes(1<<20, 3)), nil)
	case "mid-upload":
		// Half the bytes reach the provider; once the intent is committed
		// (it is written beside the stream) the process dies mid-stream.
		r := io.MultiReader(bytes.NewReader(pngBytes(1<<19, 4)), readerFunc(func([]byte) (int, error) {
			for {
				res, err := store.List(ctx, &mediastore.ListParams{Owner: "victor", Status: mediastore.StatusPending, Limit: 1})
				if err == nil && len(res.Files) == 1 {
					die()
				}
				time.Sleep(time.Millisecond)
			}
		}))
		c.Upload(ctx, "victor", r, nil)
	default:
		c.Delete(ctx, "victor", os.Getenv("MEDIASTORE_CRASH_TARGET"))
	}
	t.Fatalf("the child survived step %s", step)
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// dieOnDelete kills the process when a row is deleted.
type dieOnDelete struct {
	*hookStore
	die func()
}

func (d *dieOnDelete) Delete(ctx context.Context, p *mediastore.DeleteParams) error {
	d.die()
	return nil
}

// newCrashStore opens a store on schema of the shared server; the child
// reaches the parent's server through testdb.EnvURL.
func newCrashStore(t *testing.T, ctx context.Context, schema string) *pgstore.Store {
	t.Helper()
	pool := testdb.NewPool(ctx, t, nil)
	st, err := pgstore.New(pool, &pgstore.Config{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func newCrashDisk(t *testing.T, dir string) *disk.Provider {
	t.Helper()
	p, err := disk.New(disk.Config{Dir: dir, BaseURL: "http://127.0.0.1:1/media", NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustClient(t *testing.T, p mediastore.Provider, s mediastore.MetadataStore, now func() time.Time) *mediastore.Client {
	t.Helper()
	c, err := mediastore.New(p, s, &mediastore.Config{Test: mediastore.TestConfig{Now: now}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func allRows(t *testing.T, s mediastore.MetadataStore, owner string) []*mediastore.File {
	t.Helper()
	var out []*mediastore.File
	for _, st := range []mediastore.Status{mediastore.StatusPending, mediastore.StatusReady, mediastore.StatusDeleting} {
		res, err := s.List(context.Background(), &mediastore.ListParams{Owner: owner, Status: st, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, res.Files...)
	}
	return out
}

func listObjects(t *testing.T, l mediastore.Lister) []string {
	t.Helper()
	var keys []string
	for o, err := range l.ListObjects(context.Background(), "") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, o.Key)
	}
	return keys
}
