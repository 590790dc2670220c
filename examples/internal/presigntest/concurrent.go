package presigntest

import (
	"bytes"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"testing"
)

// goroutineT is a testing.TB for a goroutine of the test's own: a fatal
// failure is reported and ends that goroutine only, as FailNow may not be
// called from it.
type goroutineT struct{ testing.TB }

func (g goroutineT) FailNow() { g.TB.Fail(); runtime.Goexit() }

func (g goroutineT) Fatal(args ...any) { g.TB.Helper(); g.TB.Error(args...); runtime.Goexit() }

func (g goroutineT) Fatalf(format string, args ...any) {
	g.TB.Helper()
	g.TB.Errorf(format, args...)
	runtime.Goexit()
}

// testConcurrent runs 50 full flows at once, by 5 users, and wants exactly
// 50 rows and 50 objects.
func testConcurrent(t *testing.T, ex *Example) {
	const users, each = 5, 10
	b := setup(t, ex, options{})
	c := b.client()
	s3c := b.srv.HTTPClient()

	type result struct {
		user string
		file fileJSON
	}
	results := make(chan result, users*each)
	var wg sync.WaitGroup
	for u := range users {
		for i := range each {
			wg.Go(func() {
				t := goroutineT{t}
				user := fmt.Sprintf("user-%d", u)
				data := append(pngBytes(t, 4+u, 4+i), []byte(user)...)
				f := c.flow(t, ex, s3c, user, fmt.Sprintf("f%d.png", i), "image/png", data)
				st, body := c.do(t, http.MethodGet, "/files/"+f.ID+"/url", user, "", nil)
				st, got := get(t, s3c, wantOK[urlResp](t, st, body).URL)
				if st != http.StatusOK || !bytes.Equal(got, data) {
					t.Errorf("%s: download of %s: status %d, %d bytes, want %d", user, f.Key, st, len(got), len(data))
				}
				results <- result{user, f}
			})
		}
	}
	wg.Wait()
	close(results)
	if t.Failed() {
		return
	}

	var keys []string
	perUser := map[string]int{}
	for r := range results {
		if r.file.UserID != r.user {
			t.Errorf("file %s saved for %q, want %q", r.file.ID, r.file.UserID, r.user)
		}
		keys = append(keys, r.file.Key)
		perUser[r.user]++
	}
	all, ready := b.rows(t)
	if all != users*each || ready != users*each {
		t.Fatalf("rows = %d (%d ready), want exactly %d ready", all, ready, users*each)
	}
	objs := b.objects(t)
	slices.Sort(keys)
	slices.Sort(objs)
	if !slices.Equal(objs, keys) {
		t.Fatalf("bucket holds %d objects, want exactly the %d saved keys", len(objs), len(keys))
	}
	for u := range users {
		user := fmt.Sprintf("user-%d", u)
		st, body := c.do(t, http.MethodGet, "/files?limit=1000", user, "", nil)
		l := wantOK[listResp](t, st, body)
		if len(l.Files) != each || perUser[user] != each {
			t.Fatalf("%s lists %d files, want %d", user, len(l.Files), each)
		}
		for _, f := range l.Files {
			if f.UserID != user {
				t.Fatalf("%s lists a file of %s", user, f.UserID)
			}
		}
	}
}
