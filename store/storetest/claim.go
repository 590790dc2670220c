package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
)

func claim(t *testing.T, s mediastore.MetadataStore, provider string, at time.Time, limit int, lease time.Duration) []*mediastore.File {
	t.Helper()
	files, err := s.ClaimExpired(t.Context(), &mediastore.ClaimParams{Provider: provider, Now: at, Limit: limit, Lease: lease})
	if err != nil {
		t.Fatalf("ClaimExpired: %v", err)
	}
	return files
}

func testClaim(t *testing.T, s mediastore.MetadataStore) {
	owner, provider := unique("owner-"), unique("prov-")
	t0 := now()
	expiredPending := mustInsert(t, s, pending(owner, provider, t0.Add(-time.Minute)))
	d := pending(owner, provider, t0) // expiring exactly now counts
	d.Status = mediastore.StatusDeleting
	expiredDeleting := mustInsert(t, s, d)
	future := mustInsert(t, s, pending(owner, provider, t0.Add(time.Second)))
	readyRow := mustInsert(t, s, ready(owner, provider))
	r := ready(owner, provider)
	r.ExpiresAt = t0.Add(-time.Hour) // a ready row is never work, whatever its expiry
	readyExpired := mustInsert(t, s, r)
	otherProvider := mustInsert(t, s, pending(owner, unique("other-"), t0.Add(-time.Minute)))

	lease := 5 * time.Minute
	got := claim(t, s, provider, t0, 100, lease)
	slices.SortFunc(got, func(a, b *mediastore.File) int { return a.CreatedAt.Compare(b.CreatedAt) })
	gotIDs := ids(got)
	slices.Sort(gotIDs)
	wantIDs := []string{expiredPending.ID, expiredDeleting.ID}
	slices.Sort(wantIDs)
	if !slices.Equal(gotIDs, wantIDs) {
		t.Fatalf("claimed %v, want the expired pending and deleting rows %v", gotIDs, wantIDs)
	}
	for _, f := range got {
		if f.Status != mediastore.StatusDeleting || !f.ExpiresAt.Equal(t0.Add(lease)) || f.Owner != owner {
			t.Fatalf("claimed row %+v: want deleting until %v", f, t0.Add(lease))
		}
		if g := mustGet(t, s, owner, f.ID); g.Status != mediastore.StatusDeleting || !g.ExpiresAt.Equal(t0.Add(lease)) {
			t.Fatalf("stored claimed row %+v: want deleting until %v", g, t0.Add(lease))
		}
	}
	for _, f := range []*mediastore.File{future, readyRow, readyExpired, otherProvider} {
		requireSame(t, mustGet(t, s, owner, f.ID), f)
	}
}

func testClaimLease(t *testing.T, s mediastore.MetadataStore) {
	owner, provider := unique("owner-"), unique("prov-")
	t0 := now()
	f := mustInsert(t, s, pending(owner, provider, t0))
	lease := time.Minute
	if got := claim(t, s, provider, t0, 10, lease); len(got) != 1 {
		t.Fatalf("first claim got %d rows, want 1", len(got))
	}
	if got := claim(t, s, provider, t0, 10, lease); len(got) != 0 {
		t.Fatalf("claim during the lease got %d rows, want 0", len(got))
	}
	if got := claim(t, s, provider, t0.Add(lease-time.Microsecond), 10, lease); len(got) != 0 {
		t.Fatalf("claim just before the lease ends got %d rows, want 0", len(got))
	}
	got := claim(t, s, provider, t0.Add(lease), 10, lease)
	if len(got) != 1 || got[0].ID != f.ID || !got[0].ExpiresAt.Equal(t0.Add(2*lease)) {
		t.Fatalf("claim after the lease: %+v, want %s until %v", got, f.ID, t0.Add(2*lease))
	}
}

func testClaimOrderAndLimit(t *testing.T, s mediastore.MetadataStore) {
	owner, provider := unique("owner-"), unique("prov-")
	t0 := now()
	var byAge []string // oldest expiry first
	for i := 0; i < 6; i++ {
		// Inserted newest expiry first, so insertion order is not the answer.
		f := mustInsert(t, s, pending(owner, provider, t0.Add(-time.Duration(i+1)*time.Minute)))
		byAge = append([]string{f.ID}, byAge...)
	}
	var got []string
	for _, batch := range [][]string{byAge[:2], byAge[2:4], byAge[4:]} {
		files := claim(t, s, provider, t0, 2, time.Hour)
		g := ids(files)
		slices.Sort(g)
		w := slices.Clone(batch)
		slices.Sort(w)
		if !slices.Equal(g, w) {
			t.Fatalf("claim of 2 got %v, want the two oldest %v", g, w)
		}
		got = append(got, g...)
	}
	if files := claim(t, s, provider, t0, 2, time.Hour); len(files) != 0 {
		t.Fatalf("claim after all got %d rows", len(files))
	}
	if len(got) != 6 {
		t.Fatalf("claimed %d rows, want 6", len(got))
	}
}

func testClaimConcurrent(t *testing.T, s mediastore.MetadataStore) {
	owner, provider := unique("owner-"), unique("prov-")
	t0 := now()
	const rows, claimers = 500, 8
	want := map[string]bool{}
	for i := 0; i < rows; i++ {
		want[mustInsert(t, s, pending(owner, provider, t0.Add(-time.Duration(i%7)*time.Second))).ID] = true
	}

	var wg sync.WaitGroup
	results := make([][]string, claimers)
	errs := make(chan error, claimers)
	for c := 0; c < claimers; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				files, err := s.ClaimExpired(t.Context(), &mediastore.ClaimParams{
					Provider: provider, Now: t0, Limit: 7, Lease: time.Hour})
				if err != nil {
					errs <- err
					return
				}
				if len(files) == 0 {
					return
				}
				results[c] = append(results[c], ids(files)...)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent ClaimExpired: %v", err)
	}
	seen := map[string]int{}
	for c, r := range results {
		for _, id := range r {
			if prev, dup := seen[id]; dup {
				t.Fatalf("row %s claimed by claimers %d and %d", id, prev, c)
			}
			seen[id] = c
		}
	}
	if len(seen) != rows {
		t.Fatalf("claimers got %d rows together, want all %d", len(seen), rows)
	}
	for id := range want {
		if _, ok := seen[id]; !ok {
			t.Fatalf("row %s never claimed", id)
		}
	}
}
