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

func TestPrefixEnd(t *testing.T) {
	for prefix, want := range map[string]string{
		"a/":                    "a0",
		"user_1/":               "user_10",
		"\u007f":                "\u0080",
		"x\ud7ff":               "x\ue000", // skips the surrogates
		"é":                     "ê",
		"a\U0010FFFF":           "b",
		"\U0010FFFF":            "",
		"":                      "",
		"z\U0010FFFF\U0010FFFF": "{",
	} {
		got, ok := PrefixEnd(prefix)
		if got != want || ok != (want != "") {
			t.Errorf("PrefixEnd(%q) = %q, %v; want %q", prefix, got, ok, want)
		}
		for _, s := range []string{prefix, prefix + "\x00", prefix + "zzz", prefix + "\U0010FFFF"} {
			if ok && s >= got {
				t.Errorf("PrefixEnd(%q) = %q is not above %q", prefix, got, s)
			}
		}
	}
}
