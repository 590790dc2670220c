package reliability

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite RELIABILITY.md at the module root from this run's results")

// envUpdate is the variable that also asks for the rewrite.
const envUpdate = "MEDIASTORE_UPDATE_RELIABILITY"

// reportPath is RELIABILITY.md at the module root.
var reportPath = filepath.Join("..", "..", "RELIABILITY.md")

// report collects the results of the fault matrix and the crash tests.
type report struct {
	mu      sync.Mutex
	cells   map[int]cellResult     // by index in matrixCells
	crashes map[string]crashResult // by provider/step
}

func (r *report) addCell(i int, c cellResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cells[i] = c
}

func (r *report) addCrash(c crashResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.crashes[c.provider+"/"+c.step] = c
}

// TestReliability runs the fault matrix and the crash tests, then checks
// RELIABILITY.md against what they found (or rewrites it with -update).
func TestReliability(t *testing.T) {
	if os.Getenv(envCrashStep) != "" {
		t.Skip("crash child")
	}
	cells := matrixCells()
	rep := &report{cells: map[int]cellResult{}, crashes: map[string]crashResult{}}
	t.Run("faults", func(t *testing.T) {
		for i, c := range cells {
			t.Run(fmt.Sprintf("%02d", i+1), func(t *testing.T) {
				t.Parallel()
				rep.addCell(i, runCell(t, c))
			})
		}
	})
	t.Run("crash", func(t *testing.T) {
		for _, prov := range []string{"disk", "s3"} {
			for _, step := range crashSteps {
				t.Run(prov+"/"+step, func(t *testing.T) {
					t.Parallel()
					rep.addCrash(runCrash(t, prov, step))
				})
			}
		}
	})
	if t.Failed() {
		t.Log("not checking RELIABILITY.md: a cell failed")
		return
	}
	if len(rep.cells) != len(cells) || len(rep.crashes) != 2*len(crashSteps) {
		t.Logf("not checking RELIABILITY.md: only part of the matrix ran")
		return
	}
	got := rep.render(cells)
	if *update || os.Getenv(envUpdate) != "" {
		if err := os.WriteFile(reportPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", reportPath)
		return
	}
	want, err := os.ReadFile(reportPath)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/reliability -run TestReliability -update)", err)
	}
	if comparable(string(want)) != comparable(got) {
		t.Errorf("RELIABILITY.md is out of date: run go test ./internal/reliability -run TestReliability -update\n--- got\n%s", got)
	}
	for _, line := range strings.Split(string(want), "\n") {
		if strings.HasPrefix(line, "|") && strings.Contains(line, "| FAIL") {
			t.Errorf("RELIABILITY.md shows a failing cell: %s", line)
		}
	}
}

// comparable blanks what a run may legitimately decide either way: the file
// of a flow that reported a failure. Under a stall, bytes held on a
// connection the Client did not close may reach the server late, so a
// failed Upload's ready UPDATE may still commit (the file is then kept,
// ready) or not (the clean-up removes it). Both keep the invariant, which
// the Orphans and Dangling columns state and which stays compared.
func comparable(doc string) string {
	lines := strings.Split(doc, "\n")
	for i, line := range lines {
		cols := strings.Split(line, " | ")
		if strings.HasPrefix(line, "|") && len(cols) > 7 && cols[5] == "failed" {
			cols[6] = "ready or gone"
			lines[i] = strings.Join(cols, " | ")
		}
	}
	return strings.Join(lines, "\n")
}
