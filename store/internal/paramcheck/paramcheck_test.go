package paramcheck

import "testing"

func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewID()
		if !ValidID(id) || id[14] != '4' || seen[id] {
			t.Fatalf("NewID() = %q: not a fresh version 4 UUID", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "x", "00000000-0000-4000-8000-00000000000G",
		"00000000-0000-4000-8000-00000000000A", "00000000000040008000000000000000aaaa",
		"00000000-0000-4000-8000-0000000000000"} {
		if ValidID(bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
}
