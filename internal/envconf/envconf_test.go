package envconf

import (
	"slices"
	"testing"
)

func TestMissing(t *testing.T) {
	got := Missing(Var{"A", "x"}, Var{"B", ""}, Var{"C", ""})
	if !slices.Equal(got, []string{"B", "C"}) {
		t.Fatalf("Missing = %v", got)
	}
}

func TestBool(t *testing.T) {
	for v, want := range map[string]bool{"": false, "true": true, "1": true, "false": false} {
		t.Setenv("ENVCONF_TEST_FLAG", v)
		if got, err := Bool("ENVCONF_TEST_FLAG"); err != nil || got != want {
			t.Errorf("Bool(%q) = %v, %v", v, got, err)
		}
	}
	t.Setenv("ENVCONF_TEST_FLAG", "maybe")
	if _, err := Bool("ENVCONF_TEST_FLAG"); err == nil || err.Error() != "ENVCONF_TEST_FLAG must be true or false" {
		t.Fatalf("Bool(maybe) = %v", err)
	}
}
