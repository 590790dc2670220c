package reliability

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
)

// A cell of the fault matrix: one flow, one dependency, one moment, one
// fault. The moment is a step of the flow; the fault is injected there,
// exactly once, through the dependency's proxy.
type cell struct {
	flow  string // flowUpload, ...
	dep   string // "PostgreSQL" or "S3"
	when  string // the moment, in words
	fault string // faultCut or faultStall

	// at is the call at which the fault is injected (before the call, or
	// after it returns when the event is an after-event); nil with mid 0
	// means before the flow starts.
	at func(ev event) bool
	// mid, when set, injects the fault when that many bytes of the upload
	// body have been read: mid-stream.
	mid int64
	// reply makes the fault hit the dependency's replies: the request
	// reaches the server and is carried out, the client never hears back.
	reply bool
}

const (
	flowUpload    = "Upload (one PUT, 4 MiB)"
	flowMultipart = "Upload (multipart, 11 MiB)"
	flowConfirm   = "ConfirmUpload"
	flowDelete    = "Delete"

	faultCut   = "cut"
	faultStall = "stall"

	depPG = "PostgreSQL"
	depS3 = "S3"
)

func before(dep, op string) func(event) bool {
	return func(ev event) bool { return ev.dep == dep && ev.op == op && !ev.after }
}

func beforeStatus(to mediastore.Status) func(event) bool {
	return func(ev event) bool { return ev.dep == "pg" && ev.op == "SetStatus" && ev.to == to && !ev.after }
}

func afterOK(dep, op string) func(event) bool {
	return func(ev event) bool { return ev.dep == dep && ev.op == op && ev.after && ev.err == nil }
}

func afterStatusOK(to mediastore.Status) func(event) bool {
	return func(ev event) bool {
		return ev.dep == "pg" && ev.op == "SetStatus" && ev.to == to && ev.after && ev.err == nil
	}
}

// matrixCells is the matrix: each moment with each fault.
func matrixCells() []cell {
	moments := []cell{
		{flow: flowUpload, dep: depPG, when: "before the flow"},
		{flow: flowUpload, dep: depPG, when: "during the intent INSERT", at: before("pg", "Insert"), reply: true},
		{flow: flowUpload, dep: depPG, when: "after the intent INSERT", at: afterOK("pg", "Insert")},
		{flow: flowUpload, dep: depPG, when: "during the ready UPDATE", at: beforeStatus(mediastore.StatusReady), reply: true},
		{flow: flowUpload, dep: depS3, when: "before the flow"},
		{flow: flowUpload, dep: depS3, when: "during the body (at 2 MiB)", mid: 2 << 20},
		{flow: flowUpload, dep: depS3, when: "after the object is stored", at: afterOK("s3", "Put")},

		{flow: flowMultipart, dep: depPG, when: "during the ready UPDATE", at: beforeStatus(mediastore.StatusReady), reply: true},
		{flow: flowMultipart, dep: depS3, when: "before the flow"},
		{flow: flowMultipart, dep: depS3, when: "during the body (at 7 MiB)", mid: 7 << 20},
		{flow: flowMultipart, dep: depS3, when: "after the object is stored", at: afterOK("s3", "Put")},

		{flow: flowConfirm, dep: depPG, when: "before the flow"},
		{flow: flowConfirm, dep: depPG, when: "after the intent lookup", at: afterOK("pg", "GetByKey")},
		{flow: flowConfirm, dep: depPG, when: "during the ready UPDATE", at: beforeStatus(mediastore.StatusReady), reply: true},
		{flow: flowConfirm, dep: depS3, when: "before the flow"},
		{flow: flowConfirm, dep: depS3, when: "during the HEAD", at: before("s3", "Stat"), reply: true},
		{flow: flowConfirm, dep: depS3, when: "after the HEAD, before the ranged GET", at: afterOK("s3", "Stat")},

		{flow: flowDelete, dep: depPG, when: "before the flow"},
		{flow: flowDelete, dep: depPG, when: "during the tombstone UPDATE", at: beforeStatus(mediastore.StatusDeleting), reply: true},
		{flow: flowDelete, dep: depPG, when: "after the tombstone UPDATE", at: afterStatusOK(mediastore.StatusDeleting)},
		{flow: flowDelete, dep: depPG, when: "during the row DELETE", at: before("pg", "Delete"), reply: true},
		{flow: flowDelete, dep: depS3, when: "before the flow"},
		{flow: flowDelete, dep: depS3, when: "during the object DELETE", at: before("s3", "Delete"), reply: true},
		{flow: flowDelete, dep: depS3, when: "after the object DELETE", at: afterOK("s3", "Delete")},
	}
	var cells []cell
	for _, m := range moments {
		for _, f := range []string{faultCut, faultStall} {
			c := m
			c.fault = f
			cells = append(cells, c)
		}
	}
	return cells
}

// cellResult is what a cell found after the sweep.
type cellResult struct {
	cell
	result   string // the flow's result: "ok" or "failed"
	file     string // the flow's file after the sweep: "ready" or "gone"
	orphans  int
	dangling int
	uploads  int // multipart uploads left in progress
}

// injector injects a cell's fault into one proxy, once.
type injector struct {
	c      cell
	proxy  *faultProxy
	cancel context.CancelFunc // the flow's context
	done   chan struct{}

	once     sync.Once
	injected atomic.Bool
	fired    atomic.Bool // a stall has held a byte
	stall    string      // the stall toxic's name
	err      error
}

// inject applies the fault. A cut stops the proxy (connections reset, new
// ones refused) or, for replies, closes each connection at the first byte
// of a reply. A stall holds the requests (or the replies) and keeps the
// connections open; once it holds a byte the caller gives up (the flow's
// context is cancelled), and as soon as the caller has closed the stalled
// connection the dependency recovers: the Client's clean-up runs against
// it.
func (in *injector) inject() {
	in.once.Do(func() {
		in.injected.Store(true)
		switch {
		case in.c.fault == faultCut && in.c.reply:
			in.err = in.proxy.add("cut", "limit_data", "downstream", map[string]any{"bytes": 0})
		case in.c.fault == faultCut:
			in.proxy.cut()
		default:
			stream := "upstream"
			if in.c.reply {
				stream = "downstream"
			}
			var st *stall
			in.stall, st, in.err = in.proxy.addStall(stream)
			if in.err != nil {
				return
			}
			go func() {
				select {
				case <-st.fired:
					in.fired.Store(true)
					in.cancel()
				case <-in.done:
					return
				}
				select {
				case <-st.abandoned:
					in.proxy.remove(in.stall)
				case <-in.done:
				}
			}()
		}
	})
}

// hook sees every call of the flow's Client to a dependency.
func (in *injector) hook(ev event) {
	if in.c.at != nil && in.c.at(ev) {
		in.inject()
	}
}

// runCell runs one cell and checks the invariant.
func runCell(t *testing.T, c cell) cellResult {
	e := newS3Env(t)
	ctx := t.Context()
	const owner = "alice"

	// A file that must survive everything.
	live, err := e.direct.Upload(ctx, "victor", bytes.NewReader(pngBytes(4096, 1)), nil)
	must(t, err)

	// What the flow works on, made over direct connections.
	var key, id string
	var content []byte
	switch c.flow {
	case flowUpload, flowMultipart:
		key = "alice/cell-photo.png" // Config.Test.NewKey below
	case flowConfirm:
		content = pngBytes(64<<10, 3)
		tk, err := e.direct.PrepareUpload(ctx, owner, &mediastore.PrepareRequest{Filename: "direct.png", ContentType: "image/png", Size: int64(len(content))})
		must(t, err)
		putTicket(t, e.srv.HTTPClient(), tk, content)
		key = tk.Key
	case flowDelete:
		f, err := e.direct.Upload(ctx, owner, bytes.NewReader(pngBytes(64<<10, 4)), &mediastore.UploadOptions{Filename: "old.png"})
		must(t, err)
		key, id = f.Key, f.ID
	}

	flowCtx, cancel := context.WithTimeout(ctx, 2*time.Minute) // a bound for a bug, not a timed step
	defer cancel()
	proxy := e.pgProxy
	if c.dep == depS3 {
		proxy = e.s3Proxy
	}
	in := &injector{c: c, proxy: proxy, cancel: cancel, done: make(chan struct{})}
	stop := sync.OnceFunc(func() { close(in.done) })
	defer stop()
	cl, err := mediastore.New(newHookProvider(e.proxied.prov, in.hook), &hookStore{MetadataStore: e.proxied.store, hook: in.hook},
		&mediastore.Config{Test: mediastore.TestConfig{Now: e.clock.Now, NewKey: func() string { return "cell" }}})
	must(t, err)
	if c.at == nil && c.mid == 0 {
		in.inject()
	}

	// The flow, through the proxies.
	switch c.flow {
	case flowUpload, flowMultipart:
		size, known := int64(4<<20), true
		if c.flow == flowMultipart {
			size, known = 11<<20, false
		}
		var body io.Reader = bytes.NewReader(pngBytes(int(size), 2))
		if c.mid > 0 {
			body = &hookReader{r: body, n: c.mid, at: in.inject}
		}
		opts := &mediastore.UploadOptions{Filename: "photo.png"}
		if known {
			opts.Size = size
		}
		_, err = cl.Upload(flowCtx, owner, body, opts)
	case flowConfirm:
		_, err = cl.ConfirmUpload(flowCtx, owner, &mediastore.ConfirmRequest{Key: key})
	case flowDelete:
		err = cl.Delete(flowCtx, owner, id)
	}
	stop()
	if in.err != nil {
		t.Fatal(in.err)
	}
	if !in.injected.Load() {
		t.Fatalf("the fault was never injected")
	}

	// Restore, sweep past the TTL, compare.
	must(t, e.pgProxy.restore())
	must(t, e.s3Proxy.restore())
	res, serr := newClient(t, e.dprov, e.dstore, e.clock.later()).NewSweeper(nil).RunOnce(ctx)
	if serr != nil || res.Failed != 0 {
		t.Fatalf("sweep: %+v, %v", res, serr)
	}
	st := e.readState(t)
	r := cellResult{cell: c, result: outcome(err), orphans: len(st.orphans()), dangling: len(st.dangling()), uploads: st.uploads}
	switch {
	case st.rows[key] == string(mediastore.StatusReady) && st.objects[key]:
		r.file = "ready"
	case st.rows[key] == "" && !st.objects[key]:
		r.file = "gone"
	default:
		r.file = fmt.Sprintf("row %q, object %v", st.rows[key], st.objects[key])
	}
	t.Logf("%s / %s / %s / %s: flow: %v; sweep: %+v; file: %s; %s; multipart uploads left: %d", c.flow, c.dep, c.when, c.fault, err, res, r.file, describe(st), st.uploads)

	if r.orphans != 0 || r.dangling != 0 || len(st.unfinished()) != 0 || r.uploads != 0 {
		t.Errorf("after the sweep: %s; multipart uploads left: %d", describe(st), r.uploads)
	}
	if st.rows[live.Key] != string(mediastore.StatusReady) || !st.objects[live.Key] {
		t.Errorf("the live file was damaged: row %q, object %v", st.rows[live.Key], st.objects[live.Key])
	}
	switch {
	case err == nil && c.flow != flowDelete && r.file != "ready":
		t.Errorf("%s succeeded but its file is %s", c.flow, r.file)
	case err == nil && c.flow == flowDelete && r.file != "gone":
		t.Errorf("Delete succeeded but the file is %s", r.file)
	}
	return r
}
