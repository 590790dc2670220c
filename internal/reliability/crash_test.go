package reliability

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

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/internal/tests3"
	"github.com/mediastore/mediastore/provider/disk"
	"github.com/mediastore/mediastore/store/pgstore"
)

// The crash tests run a flow in a child process (this test binary again)
// that SIGKILLs itself at one step; a sweep from the parent, a fresh
// process as far as the flow is concerned, must then leave no object that
// no row knows and no row whose object is gone.

const (
	envCrashStep     = "MEDIASTORE_CRASH_STEP"
	envCrashSchema   = "MEDIASTORE_CRASH_SCHEMA"
	envCrashProvider = "MEDIASTORE_CRASH_PROVIDER" // "disk" or "s3"
	envCrashDir      = "MEDIASTORE_CRASH_DIR"      // disk
	envCrashBucket   = "MEDIASTORE_CRASH_BUCKET"   // s3
	envCrashTarget   = "MEDIASTORE_CRASH_TARGET"   // the file id to delete
)

// crashSteps are the points at which the child dies.
var crashSteps = []string{
	"after-intent",          // pending row recorded, provider not called
	"mid-upload",            // half the bytes sent to the provider
	"after-upload",          // object stored, row still pending
	"after-tombstone",       // row marked deleting, object still there
	"after-provider-delete", // object deleted, row still deleting
}

// crashResult is what a crash left and what the sweep made of it.
type crashResult struct {
	provider, step string
	left           string // the crashed file's row before the sweep
	removed        int    // rows the sweep removed
	orphans        int
	dangling       int
}

// crashEnv is a provider and a store that parent and child share.
type crashEnv struct {
	prov  mediastore.Provider
	store *pgstore.Store
	env   []string // what the child needs to reach them
	table string
}

func newCrashEnv(t *testing.T, prov string) *crashEnv {
	t.Helper()
	ctx := t.Context()
	schema := testdb.MigratedSchema(ctx, t)
	st, err := pgstore.New(testdb.Pool(ctx, t), &pgstore.Config{Schema: schema})
	must(t, err)
	ce := &crashEnv{store: st, table: `"` + schema + `".mediastore_files`,
		env: []string{envCrashSchema + "=" + schema, envCrashProvider + "=" + prov, testdb.EnvURL + "=" + testdb.URL(ctx, t)}}
	switch prov {
	case "disk":
		dir := t.TempDir()
		ce.prov = newDisk(t, dir)
		ce.env = append(ce.env, envCrashDir+"="+dir)
	case "s3":
		srv := tests3.Start(ctx, t, nil)
		bucket := srv.NewBucket(ctx, t)
		ce.prov = newS3Provider(t, srv, bucket, srv.Endpoint, 0)
		// The child reaches the same server as an external one.
		ce.env = append(ce.env, envCrashBucket+"="+bucket,
			"MEDIASTORE_TEST_S3_ENDPOINT="+srv.Endpoint, "MEDIASTORE_TEST_S3_ACCESS_KEY="+srv.AccessKey,
			"MEDIASTORE_TEST_S3_SECRET_KEY="+srv.SecretKey, "MEDIASTORE_TEST_S3_REGION="+srv.Region)
	}
	return ce
}

func newDisk(t testing.TB, dir string) *disk.Provider {
	t.Helper()
	p, err := disk.New(disk.Config{Dir: dir, BaseURL: "http://127.0.0.1:1/media", NoSync: true})
	must(t, err)
	return p
}

// objects lists every object of the provider.
func objects(t testing.TB, p mediastore.Provider) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for o, err := range p.(mediastore.Lister).ListObjects(context.Background(), "") {
		must(t, err)
		out[o.Key] = true
	}
	return out
}

// runCrash runs the child that dies at step, then sweeps and compares.
func runCrash(t *testing.T, prov, step string) crashResult {
	ctx := t.Context()
	ce := newCrashEnv(t, prov)
	clk := newClock()
	c := newClient(t, ce.prov, ce.store, clk.Now)

	live, err := c.Upload(ctx, "victor", bytes.NewReader(pngBytes(4096, 1)), nil)
	must(t, err)
	var target string
	if strings.HasPrefix(step, "after-tomb") || strings.HasPrefix(step, "after-provider") {
		f, err := c.Upload(ctx, "victor", bytes.NewReader(pngBytes(4096, 2)), nil)
		must(t, err)
		target = f.ID
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), ce.env...), envCrashStep+"="+step, envCrashTarget+"="+target)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the child was not killed at %s: %v\n%s", step, err, out)
	}

	// Before the sweep the crash is visible; after it, repaired.
	before := rawRows(t, ce.table, ce.prov.Name())
	if len(before) != 2 {
		t.Fatalf("after the crash: rows %v, want the live one and the crashed one", before)
	}
	r := crashResult{provider: prov, step: step}
	for k, s := range before {
		if k != live.Key {
			r.left = s
		}
	}
	res, err := newClient(t, ce.prov, ce.store, clk.later()).NewSweeper(nil).RunOnce(ctx)
	if err != nil || res.Failed != 0 {
		t.Fatalf("sweep: %+v %v", res, err)
	}
	r.removed = res.Removed
	st := &state{rows: rawRows(t, ce.table, ce.prov.Name()), objects: objects(t, ce.prov)}
	r.orphans, r.dangling = len(st.orphans()), len(st.dangling())
	if r.orphans != 0 || r.dangling != 0 || len(st.rows) != 1 || st.rows[live.Key] != string(mediastore.StatusReady) || !st.objects[live.Key] {
		t.Errorf("after the sweep: rows %v, objects %v; want only %s", st.rows, st.objects, live.Key)
	}
	if res.Removed != 1 {
		t.Errorf("the sweep removed %d rows, want the crashed one", res.Removed)
	}
	return r
}

// TestCrashChild is the child half of the crash tests: it runs one flow
// and dies at MEDIASTORE_CRASH_STEP.
func TestCrashChild(t *testing.T) {
	step := os.Getenv(envCrashStep)
	if step == "" {
		t.Skip("only run as the child of TestReliability/crash")
	}
	ctx := context.Background()
	st, err := pgstore.New(testdb.NewPool(ctx, t, nil), &pgstore.Config{Schema: os.Getenv(envCrashSchema)})
	must(t, err)
	var prov interface {
		mediastore.Provider
		mediastore.RangeReader
	}
	if os.Getenv(envCrashProvider) == "s3" {
		prov = newS3Provider(t, tests3.Start(ctx, t, nil), os.Getenv(envCrashBucket), os.Getenv("MEDIASTORE_TEST_S3_ENDPOINT"), 0)
	} else {
		prov = newDisk(t, os.Getenv(envCrashDir))
	}
	die := func() { syscall.Kill(os.Getpid(), syscall.SIGKILL); select {} }

	// The intent is written beside the stream: the steps that need it
	// recorded wait for its INSERT to return.
	intent := make(chan struct{})
	hook := func(ev event) {
		switch {
		case ev.op == "Insert" && ev.after && ev.err == nil:
			close(intent)
		case step == "after-intent" && ev.op == "Put" && !ev.after:
			<-intent
			die()
		case step == "after-upload" && ev.op == "SetStatus" && ev.to == mediastore.StatusReady && !ev.after:
			die()
		case step == "after-tombstone" && ev.dep == "s3" && ev.op == "Delete" && !ev.after:
			die()
		case step == "after-provider-delete" && ev.dep == "pg" && ev.op == "Delete" && !ev.after:
			die()
		}
	}
	c := newClient(t, newHookProvider(prov, hook), &hookStore{MetadataStore: st, hook: hook}, newClock().Now)
	const size = 1 << 20
	switch step {
	case "after-intent", "after-upload":
		c.Upload(ctx, "victor", bytes.NewReader(pngBytes(size, 3)), &mediastore.UploadOptions{Size: size})
	case "mid-upload":
		// Half the bytes reach the provider; once the intent is recorded
		// the process dies mid-stream.
		var r io.Reader = &hookReader{r: bytes.NewReader(pngBytes(size, 4)), n: size / 2, at: func() { <-intent; die() }}
		c.Upload(ctx, "victor", r, &mediastore.UploadOptions{Size: size})
	default:
		c.Delete(ctx, "victor", os.Getenv(envCrashTarget))
	}
	t.Fatalf("the child survived step %s", step)
}
