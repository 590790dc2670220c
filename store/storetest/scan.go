package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mediastore/mediastore"
)

// testScanRows checks the optional [mediastore.RowScanner]: every row of
// a provider, across owners and statuses, by key prefix, in byte order.
func testScanRows(t *testing.T, s mediastore.MetadataStore) {
	scanner, ok := s.(mediastore.RowScanner)
	if !ok {
		t.Log("the store is not a RowScanner")
		return
	}
	provider, other := unique("prov-"), unique("other-")
	keys := []string{"a/1", "a/10", "a/2", "a", "ab", "a/\u007f", "a/\u0080", "a/é", "a/\U0010FFFF", "a0", "b/1", "Z/1", "a/é/x"}
	owners := []string{unique("alice-"), unique("bob-")}
	exp := now().Add(time.Hour)
	for i, k := range keys {
		p := ready(owners[i%2], provider)
		p.Key = k
		if i%3 == 1 {
			p.Status, p.ExpiresAt = mediastore.StatusPending, exp
		}
		mustInsert(t, s, p)
		q := ready(owners[0], other) // same keys at another provider
		q.Key = k
		mustInsert(t, s, q)
	}
	scanAll := func(prefix string, limit int) []string {
		t.Helper()
		var got []string
		after := ""
		for range 100 {
			rows, err := scanner.ScanRows(t.Context(), &mediastore.ScanParams{Provider: provider, Prefix: prefix, AfterKey: after, Limit: limit})
			if err != nil {
				t.Fatalf("ScanRows(%q): %v", prefix, err)
			}
			if len(rows) > limit {
				t.Fatalf("ScanRows returned %d rows, limit %d", len(rows), limit)
			}
			for _, f := range rows {
				if f.Provider != provider {
					t.Fatalf("ScanRows returned a row of %s", f.Provider)
				}
				got = append(got, f.Key)
			}
			if len(rows) < limit {
				return got
			}
			after = rows[len(rows)-1].Key
		}
		t.Fatal("ScanRows does not end")
		return nil
	}
	for _, prefix := range []string{"", "a/", "a", "a/é", "a/\U0010FFFF", "Z", "c", "a/\u007f"} {
		var want []string
		for _, k := range keys {
			if strings.HasPrefix(k, prefix) {
				want = append(want, k)
			}
		}
		slices.Sort(want) // byte order
		for _, limit := range []int{1, 3, 1000} {
			if got := scanAll(prefix, limit); !slices.Equal(got, want) {
				t.Fatalf("ScanRows(prefix %q, limit %d) = %q, want %q", prefix, limit, got, want)
			}
		}
	}
	for name, p := range map[string]*mediastore.ScanParams{
		"no provider": {Limit: 10},
		"zero limit":  {Provider: provider},
		"huge limit":  {Provider: provider, Limit: 1001},
		"nil":         nil,
	} {
		_, err := scanner.ScanRows(t.Context(), p)
		requireKind(t, "ScanRows "+name, err, mediastore.ErrInvalid)
	}
}
