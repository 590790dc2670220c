package storetest

import (
	"cmp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
)

// listAll pages through the owner's rows in status with limit, checking
// that Next is nil exactly on the last page, and returns every row.
func listAll(t *testing.T, s mediastore.MetadataStore, p mediastore.ListParams) []*mediastore.File {
	t.Helper()
	var all []*mediastore.File
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatal("List does not end")
		}
		res, err := s.List(t.Context(), &p)
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		if len(res.Files) > p.Limit {
			t.Fatalf("page of %d rows, limit %d", len(res.Files), p.Limit)
		}
		all = append(all, res.Files...)
		if res.Next == nil {
			return all
		}
		if len(res.Files) != p.Limit {
			t.Fatalf("short page of %d rows (limit %d) has a Next", len(res.Files), p.Limit)
		}
		last := res.Files[len(res.Files)-1]
		if !res.Next.CreatedAt.Equal(last.CreatedAt) || res.Next.ID != last.ID {
			t.Fatalf("Next = %+v, want the last row's position (%v, %s)", res.Next, last.CreatedAt, last.ID)
		}
		// The cursor survives its text form.
		text, err := res.Next.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		if p.After, err = mediastore.ParseCursor(string(text)); err != nil {
			t.Fatal(err)
		}
	}
}

// newestFirst orders rows as List must: (CreatedAt, ID) descending.
func newestFirst(a, b *mediastore.File) int {
	if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
		return c
	}
	return cmp.Compare(b.ID, a.ID)
}

func ids(files []*mediastore.File) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.ID
	}
	return out
}

func testListOrder(t *testing.T, s mediastore.MetadataStore) {
	alice, bob, provider := unique("alice-"), unique("bob-"), unique("prov-")
	var want []*mediastore.File
	for i := 0; i < 21; i++ {
		want = append(want, mustInsert(t, s, ready(alice, provider)))
		if i%5 == 0 {
			mustInsert(t, s, ready(bob, provider))
		}
	}
	slices.SortFunc(want, newestFirst)

	for _, limit := range []int{1, 7, 20, 21, 22, 1000} {
		got := listAll(t, s, mediastore.ListParams{Owner: alice, Status: mediastore.StatusReady, Limit: limit})
		if !slices.Equal(ids(got), ids(want)) {
			t.Fatalf("limit %d: listed\n %v\nwant\n %v", limit, ids(got), ids(want))
		}
		for i := range got {
			requireSame(t, got[i], want[i])
		}
	}
	// The newest row comes first, and an exact last page has no Next.
	res, err := s.List(t.Context(), &mediastore.ListParams{Owner: alice, Status: mediastore.StatusReady, Limit: 21})
	if err != nil {
		t.Fatal(err)
	}
	if res.Next != nil || len(res.Files) != 21 {
		t.Fatalf("one full page: %d rows, Next %v; want 21 and nil", len(res.Files), res.Next)
	}
	// After the last row there is nothing.
	last := want[len(want)-1]
	res, err = s.List(t.Context(), &mediastore.ListParams{Owner: alice, Status: mediastore.StatusReady, Limit: 5,
		After: &mediastore.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 0 || res.Next != nil {
		t.Fatalf("after the last row: %d rows, Next %v", len(res.Files), res.Next)
	}
}

func testListFilters(t *testing.T, s mediastore.MetadataStore) {
	owner, provider := unique("owner-"), unique("prov-")
	exp := now().Add(time.Hour)
	want := map[mediastore.Status]map[string][]string{} // status -> resource type -> ids
	add := func(p *mediastore.InsertParams) {
		f := mustInsert(t, s, p)
		if want[p.Status] == nil {
			want[p.Status] = map[string][]string{}
		}
		want[p.Status][p.ResourceType] = append(want[p.Status][p.ResourceType], f.ID)
		want[p.Status][""] = append(want[p.Status][""], f.ID)
	}
	for i := 0; i < 4; i++ {
		for _, rt := range []string{"image", "video", "raw"} {
			p := ready(owner, provider)
			p.ResourceType = rt
			add(p)
		}
		add(pending(owner, provider, exp))
		d := pending(owner, provider, exp)
		d.Status, d.ResourceType = mediastore.StatusDeleting, "video"
		add(d)
	}
	for _, st := range []mediastore.Status{mediastore.StatusReady, mediastore.StatusPending, mediastore.StatusDeleting} {
		for _, rt := range []string{"", "image", "video", "raw", "nothing"} {
			got := listAll(t, s, mediastore.ListParams{Owner: owner, Status: st, ResourceType: rt, Limit: 3})
			for _, f := range got {
				if f.Status != st || (rt != "" && f.ResourceType != rt) {
					t.Fatalf("List(%s, %q) returned a %s %s row", st, rt, f.Status, f.ResourceType)
				}
			}
			w := slices.Clone(want[st][rt])
			slices.Sort(w)
			g := ids(got)
			slices.Sort(g)
			if !slices.Equal(g, w) {
				t.Fatalf("List(%s, %q) = %d rows, want %d", st, rt, len(g), len(w))
			}
		}
	}
}

func testListLimits(t *testing.T, s mediastore.MetadataStore) {
	owner := unique("owner-")
	mustInsert(t, s, ready(owner, unique("prov-")))
	for _, limit := range []int{-1, 0, 1001, 1 << 30} {
		_, err := s.List(t.Context(), &mediastore.ListParams{Owner: owner, Status: mediastore.StatusReady, Limit: limit})
		requireKind(t, "List limit", err, mediastore.ErrInvalid)
	}
	for _, limit := range []int{1, 1000} {
		res, err := s.List(t.Context(), &mediastore.ListParams{Owner: owner, Status: mediastore.StatusReady, Limit: limit})
		if err != nil {
			t.Fatalf("limit %d: %v", limit, err)
		}
		if len(res.Files) != 1 || res.Next != nil {
			t.Fatalf("limit %d: %d rows, Next %v", limit, len(res.Files), res.Next)
		}
	}
}

func testListStableUnderInserts(t *testing.T, s mediastore.MetadataStore) {
	owner, provider := unique("owner-"), unique("prov-")
	existing := map[string]bool{}
	for i := 0; i < 60; i++ {
		existing[mustInsert(t, s, ready(owner, provider)).ID] = true
	}

	// Writers insert while a reader pages.
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 15; i++ {
				if _, err := s.Insert(t.Context(), ready(owner, provider)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	got := listAll(t, s, mediastore.ListParams{Owner: owner, Status: mediastore.StatusReady, Limit: 4})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent Insert: %v", err)
	}

	seen := map[string]bool{}
	for i, f := range got {
		if seen[f.ID] {
			t.Fatalf("row %s listed twice", f.ID)
		}
		seen[f.ID] = true
		if i > 0 && newestFirst(got[i-1], f) >= 0 {
			t.Fatalf("rows %d and %d out of order", i-1, i)
		}
	}
	for id := range existing {
		if !seen[id] {
			t.Fatalf("row %s, there before paging began, was skipped", id)
		}
	}
}
