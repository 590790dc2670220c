package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/Shopify/toxiproxy/v2/stream"
	"github.com/Shopify/toxiproxy/v2/toxics"
	"github.com/rs/zerolog"
)

// The proxies run in this process: toxiproxy's library, without its HTTP
// API. Each test makes its own proxies on 127.0.0.1 with a free port.

var toxiServer = sync.OnceValue(func() *toxiproxy.ApiServer {
	return toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
})

var proxySeq atomic.Int64

// faultProxy is one TCP proxy between a client and a server, with the
// faults a test injects.
type faultProxy struct {
	p    *toxiproxy.Proxy
	addr string

	mu      sync.Mutex
	stopped bool
	added   []string // toxics to remove on restore
}

// newFaultProxy starts a proxy to upstream ("host:port") and stops it when
// the test ends.
func newFaultProxy(t testing.TB, name, upstream string) *faultProxy {
	t.Helper()
	name = fmt.Sprintf("%s-%d", name, proxySeq.Add(1))
	p := toxiproxy.NewProxy(toxiServer(), name, "127.0.0.1:0", upstream)
	if err := p.Start(); err != nil {
		t.Fatalf("toxiproxy: start %s: %v", name, err)
	}
	t.Cleanup(p.Stop)
	fp := &faultProxy{p: p, addr: p.Listen}
	// Every connection through the proxy ends with a reset, never a
	// graceful close: a reset_peer toxic that never acts (toxicity 0)
	// makes toxiproxy set SO_LINGER 0 on both sides of each connection.
	// Otherwise a body cut half-way would reach versitygw as a graceful
	// end and be stored short (see internal/tests3), which AWS, R2 and
	// B2 never do.
	if err := fp.addToxic("linger", "reset_peer", "upstream", 0, map[string]any{"timeout": 0}); err != nil {
		t.Fatal(err)
	}
	return fp
}

// addToxic adds a toxic to every connection, present and future.
func (fp *faultProxy) addToxic(name, typ, stream string, toxicity float32, attrs map[string]any) error {
	body, err := json.Marshal(map[string]any{"name": name, "type": typ, "stream": stream, "toxicity": toxicity, "attributes": attrs})
	if err != nil {
		return err
	}
	if _, err := fp.p.Toxics.AddToxicJson(bytes.NewReader(body)); err != nil {
		return fmt.Errorf("toxiproxy: add toxic %s: %w", name, err)
	}
	return nil
}

// cut stops the proxy: its connections are reset and new ones refused.
func (fp *faultProxy) cut() {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	if !fp.stopped {
		fp.p.Stop()
		fp.stopped = true
	}
}

// add adds a toxic that restore removes.
func (fp *faultProxy) add(name, typ, stream string, attrs map[string]any) error {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	if err := fp.addToxic(name, typ, stream, 1, attrs); err != nil {
		return err
	}
	fp.added = append(fp.added, name)
	return nil
}

// remove removes one toxic added with add, if it is still there.
func (fp *faultProxy) remove(name string) {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	for i, n := range fp.added {
		if n == name {
			_ = fp.p.Toxics.RemoveToxic(context.Background(), name)
			fp.added = append(fp.added[:i], fp.added[i+1:]...)
			return
		}
	}
}

// restore removes the faults: the toxics added and a cut. The bytes that
// a stall still holds are dropped: once the flow has returned they belong
// to calls it gave up on.
func (fp *faultProxy) restore() error {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	for _, n := range fp.added {
		if v, ok := stalls.Load(n); ok {
			v.(*stall).dropping.Store(true)
		}
		_ = fp.p.Toxics.RemoveToxic(context.Background(), n)
	}
	fp.added = nil
	if fp.stopped {
		// The listener comes back on the same port.
		if err := fp.p.Start(); err != nil {
			return fmt.Errorf("toxiproxy: restart: %w", err)
		}
		fp.stopped = false
	}
	return nil
}

// stallToxic holds every byte that reaches it, keeping the connection
// open: the dependency has stalled. It reports the first byte it holds,
// and the closing of a connection it held bytes of (the caller gave up on
// it); the bytes of such a connection are lost. When the toxic is removed
// the bytes it holds for open connections go on, late. Its id names it in
// stalls.
type stallToxic struct {
	ID string `json:"id"`
}

type stallState struct{ held []*stream.StreamChunk }

func (s *stallToxic) NewState() any { return new(stallState) }

func (s *stallToxic) Pipe(stub *toxics.ToxicStub) {
	st := stub.State.(*stallState)
	var report *stall
	if v, ok := stalls.Load(s.ID); ok {
		report = v.(*stall)
	}
	for {
		select {
		case <-stub.Interrupt:
			if report == nil || !report.dropping.Load() {
				for _, c := range st.held {
					stub.Output <- c
				}
			}
			st.held = nil
			return
		case c := <-stub.Input:
			if c == nil {
				if len(st.held) > 0 && report != nil {
					report.abandon()
				}
				stub.Close()
				return
			}
			st.held = append(st.held, c)
			if report != nil {
				report.fire()
			}
		}
	}
}

func init() { toxics.Register("mediastore_stall", new(stallToxic)) }

// stalls maps the id of a stall toxic to its *stall.
var stalls sync.Map

// stall is a stall toxic's report: fired closes when it first holds a
// byte, abandoned when a connection it held bytes of is closed. With
// dropping set, removing the toxic drops the bytes it holds instead of
// sending them on.
type stall struct {
	fireOnce, abandonOnce sync.Once
	fired, abandoned      chan struct{}
	dropping              atomic.Bool
}

func (s *stall) fire()    { s.fireOnce.Do(func() { close(s.fired) }) }
func (s *stall) abandon() { s.abandonOnce.Do(func() { close(s.abandoned) }) }

var stallSeq atomic.Int64

// addStall adds a stall toxic on stream ("upstream": requests are held;
// "downstream": replies are) and returns its name and report.
func (fp *faultProxy) addStall(stream string) (string, *stall, error) {
	id := fmt.Sprintf("stall-%d", stallSeq.Add(1))
	st := &stall{fired: make(chan struct{}), abandoned: make(chan struct{})}
	stalls.Store(id, st)
	if err := fp.add(id, "mediastore_stall", stream, map[string]any{"id": id}); err != nil {
		stalls.Delete(id)
		return "", nil, err
	}
	return id, st, nil
}
