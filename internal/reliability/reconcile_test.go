package reliability

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
	"github.com/mediastore/mediastore/internal/testdb"
	"github.com/mediastore/mediastore/internal/tests3"
	"github.com/mediastore/mediastore/store/pgstore"
)

// reconcileEnv is a provider that lists (disk or S3) and a pgstore.
type reconcileEnv struct {
	prov interface {
		mediastore.Provider
		mediastore.Lister
	}
	store *pgstore.Store
	dir   string // disk only
	table string
}

func newReconcileEnv(t *testing.T, kind string) *reconcileEnv {
	t.Helper()
	ctx := t.Context()
	schema := testdb.MigratedSchema(ctx, t)
	st, err := pgstore.New(testdb.Pool(ctx, t), &pgstore.Config{Schema: schema})
	must(t, err)
	e := &reconcileEnv{store: st, table: `"` + schema + `".mediastore_files`}
	if kind == "disk" {
		e.dir = t.TempDir()
		e.prov = newDisk(t, e.dir)
	} else {
		srv := tests3.Start(ctx, t, nil)
		e.prov = newS3Provider(t, srv, srv.NewBucket(ctx, t), srv.Endpoint, 0)
	}
	return e
}

// put stores an object that no row knows.
func (e *reconcileEnv) put(t *testing.T, key string) {
	t.Helper()
	data := pngBytes(1000, 9)
	_, err := e.prov.Put(t.Context(), key, bytes.NewReader(data), &mediastore.PutOptions{Size: int64(len(data)), ContentType: "image/png"})
	must(t, err)
}

func keysOf[T any](xs []T, key func(T) string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, key(x))
	}
	sort.Strings(out)
	return out
}

func objKey(o *mediastore.Object) string { return o.Key }
func fileKey(f *mediastore.File) string  { return f.Key }

// TestReconcile: on disk and on S3 with PostgreSQL, a dry run reports the
// objects no row knows that are older than the grace period and the ready
// rows whose object is gone, and deletes nothing; with DeleteOrphans only
// the old orphans are deleted. Pending intents (with or without their
// object) and their objects are neither.
func TestReconcile(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"disk", "s3"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			e := newReconcileEnv(t, kind)
			clk := newClock()
			c := newClient(t, e.prov, e.store, clk.Now)

			var ready []*mediastore.File
			for i := range 3 {
				f, err := c.Upload(ctx, "alice", bytes.NewReader(pngBytes(1000, uint64(i))), &mediastore.UploadOptions{Filename: fmt.Sprintf("r%d.png", i)})
				must(t, err)
				ready = append(ready, f)
			}
			// A ready row whose object is removed behind the Client's back.
			must(t, e.prov.Delete(ctx, ready[2].Key))
			// Intents: one whose object was uploaded, one without.
			if _, err := c.PrepareUpload(ctx, "alice", &mediastore.PrepareRequest{Filename: "never.png", ContentType: "image/png"}); err != nil {
				t.Fatal(err)
			}
			tk, err := c.PrepareUpload(ctx, "alice", &mediastore.PrepareRequest{Filename: "sent.png", ContentType: "image/png"})
			must(t, err)
			e.put(t, tk.Key)
			// Orphans, and on disk one young orphan among old ones.
			for _, k := range []string{"orphans/a.png", "orphans/b.png", "zz/c.png"} {
				e.put(t, k)
			}
			later := clk.Now().Add(2 * time.Hour)
			if kind == "disk" {
				e.put(t, "orphans/young.png")
				must(t, os.Chtimes(filepath.Join(e.dir, "orphans", "young.png"), later, later))
			}
			judge := newClient(t, e.prov, e.store, func() time.Time { return later })
			objectsBefore, rowsBefore := objects(t, e.prov), rawRows(t, e.table, e.prov.Name())

			// The dry run.
			rep, err := judge.Reconcile(ctx, &mediastore.ReconcileOptions{Grace: time.Hour})
			must(t, err)
			wantOrphans := []string{"orphans/a.png", "orphans/b.png", "zz/c.png"}
			wantYoung := 0
			if kind == "disk" {
				wantYoung = 1
			}
			if got := keysOf(rep.Orphans, objKey); !slices.Equal(got, wantOrphans) || rep.Young != wantYoung {
				t.Errorf("orphans %v, young %d; want %v, %d", got, rep.Young, wantOrphans, wantYoung)
			}
			if got := keysOf(rep.Dangling, fileKey); !slices.Equal(got, []string{ready[2].Key}) {
				t.Errorf("dangling %v, want %s", got, ready[2].Key)
			}
			if rep.Rows != 5 || rep.Objects != len(objectsBefore) || rep.Deleted != 0 {
				t.Errorf("report %+v, want 5 rows, %d objects, nothing deleted", rep, len(objectsBefore))
			}
			if o, r := objects(t, e.prov), rawRows(t, e.table, e.prov.Name()); len(o) != len(objectsBefore) || len(r) != len(rowsBefore) {
				t.Fatalf("the dry run changed things: %d objects (was %d), %d rows (was %d)", len(o), len(objectsBefore), len(r), len(rowsBefore))
			}

			// A prefix narrows both sides.
			rep, err = judge.Reconcile(ctx, &mediastore.ReconcileOptions{Grace: time.Hour, Prefix: "orphans/"})
			must(t, err)
			if got := keysOf(rep.Orphans, objKey); !slices.Equal(got, wantOrphans[:2]) || rep.Rows != 0 || len(rep.Dangling) != 0 {
				t.Errorf("with the prefix: orphans %v, report %+v", got, rep)
			}

			// A grace period longer than their age protects them all.
			rep, err = judge.Reconcile(ctx, &mediastore.ReconcileOptions{Grace: 3 * time.Hour, DeleteOrphans: true})
			must(t, err)
			if len(rep.Orphans) != 0 || rep.Deleted != 0 || rep.Young != 3+wantYoung {
				t.Errorf("with a long grace period: %+v", rep)
			}

			// Deleting: the old orphans go, the young one and everything
			// a row knows stay; the dangling row stays reported.
			rep, err = judge.Reconcile(ctx, &mediastore.ReconcileOptions{Grace: time.Hour, DeleteOrphans: true})
			must(t, err)
			if rep.Deleted != 3 || len(rep.Dangling) != 1 {
				t.Errorf("delete pass: %+v", rep)
			}
			objs := objects(t, e.prov)
			for _, k := range wantOrphans {
				if objs[k] {
					t.Errorf("old orphan %s kept", k)
				}
			}
			for _, k := range []string{ready[0].Key, ready[1].Key, tk.Key} {
				if !objs[k] {
					t.Errorf("%s, known to a row, was deleted", k)
				}
			}
			if kind == "disk" && !objs["orphans/young.png"] {
				t.Error("the young orphan was deleted")
			}
			if r := rawRows(t, e.table, e.prov.Name()); len(r) != len(rowsBefore) {
				t.Errorf("rows changed: %d, was %d", len(r), len(rowsBefore))
			}
			rep, err = judge.Reconcile(ctx, &mediastore.ReconcileOptions{Grace: time.Hour})
			must(t, err)
			if len(rep.Orphans) != 0 || len(rep.Dangling) != 1 {
				t.Errorf("after the delete pass: %+v", rep)
			}
		})
	}
}

// TestReconcileBesideTraffic: Reconcile, deleting orphans, runs again and
// again while uploads and deletes go on, and reports no orphan and no
// dangling row, since there are none; nothing a row knows is deleted.
func TestReconcileBesideTraffic(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"disk", "s3"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			e := newReconcileEnv(t, kind)
			c := newClient(t, e.prov, e.store, time.Now)

			// Some files that stay, so every pass has ready rows to check.
			for i := range 5 {
				_, err := c.Upload(ctx, "base", bytes.NewReader(pngBytes(2000, uint64(100+i))), nil)
				must(t, err)
			}
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var mu sync.Mutex
			var workErr error
			for w := range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					owner := fmt.Sprintf("user%d", w)
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						f, err := c.Upload(ctx, owner, bytes.NewReader(pngBytes(20_000, uint64(w*1000+i))), nil)
						if err == nil && i%2 == 0 {
							err = c.Delete(ctx, owner, f.ID)
						}
						if err != nil {
							mu.Lock()
							workErr = errors.Join(workErr, err)
							mu.Unlock()
							return
						}
					}
				}()
			}
			for pass := range 15 {
				rep, err := c.Reconcile(ctx, &mediastore.ReconcileOptions{DeleteOrphans: true})
				if err != nil {
					t.Errorf("pass %d: %v", pass, err)
					break
				}
				if len(rep.Orphans) != 0 || len(rep.Dangling) != 0 || rep.Deleted != 0 {
					t.Errorf("pass %d: orphans %v, dangling %v, deleted %d", pass, keysOf(rep.Orphans, objKey), keysOf(rep.Dangling, fileKey), rep.Deleted)
				}
			}
			close(stop)
			wg.Wait()
			if workErr != nil {
				t.Fatal(workErr)
			}
			st := &state{rows: rawRows(t, e.table, e.prov.Name()), objects: objects(t, e.prov)}
			if len(st.orphans()) != 0 || len(st.dangling()) != 0 || len(st.unfinished()) != 0 {
				t.Errorf("after the traffic: %s", describe(st))
			}
		})
	}
}

// listHook runs before the provider's listing, after Reconcile has read
// the rows.
type listHook struct {
	mediastore.Provider
	l      mediastore.Lister
	before func()
}

func (h *listHook) ListObjects(ctx context.Context, prefix string) iter.Seq2[*mediastore.Object, error] {
	if h.before != nil {
		h.before()
	}
	return h.l.ListObjects(ctx, prefix)
}

// TestReconcileDeleteDuringPass: a file deleted by its owner while
// Reconcile runs (after it read the rows, before it listed the objects)
// is not a dangling row.
func TestReconcileDeleteDuringPass(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newReconcileEnv(t, "s3")
	c := newClient(t, e.prov, e.store, time.Now)
	f, err := c.Upload(ctx, "alice", bytes.NewReader(pngBytes(1000, 1)), nil)
	must(t, err)
	keep, err := c.Upload(ctx, "alice", bytes.NewReader(pngBytes(1000, 2)), nil)
	must(t, err)
	h := &listHook{Provider: e.prov, l: e.prov, before: func() { must(t, c.Delete(ctx, "alice", f.ID)) }}
	rep, err := newClient(t, h, e.store, time.Now).Reconcile(ctx, nil)
	must(t, err)
	if len(rep.Dangling) != 0 || len(rep.Orphans) != 0 {
		t.Errorf("dangling %v, orphans %v; the only change was a finished delete", keysOf(rep.Dangling, fileKey), keysOf(rep.Orphans, objKey))
	}
	if _, err := c.Get(ctx, "alice", keep.ID); err != nil {
		t.Fatal(err)
	}
}
