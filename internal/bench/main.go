// Command bench measures mediastore against raw baselines in the same run,
// each scenario in a child process of its own so that its peak RSS is its
// own. Results go to standard output as a Markdown table (BENCHMARKS.md).
//
//	go run ./internal/bench                      # every scenario
//	go run ./internal/bench -only disk -size 1GiB -runs 3
//
// PostgreSQL comes from MEDIASTORE_TEST_DATABASE_URL or a throwaway server
// (internal/pglocal); S3 from MEDIASTORE_TEST_S3_ENDPOINT or versitygw
// (internal/tests3's binary), as in the tests.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// scenario is one measured operation. run does the work in the child and
// returns the bytes moved and the number of operations.
type scenario struct {
	name  string
	group string
	desc  string
	run   func(env *benchEnv, size int64) (ops int, err error)
}

var scenarios []scenario

func register(s scenario) { scenarios = append(scenarios, s) }

func main() {
	child := flag.String("child", "", "internal: run one scenario in this process")
	only := flag.String("only", "", "comma-separated groups to run (default all)")
	sizeFlag := flag.String("size", "1GiB", "stream size for the streaming scenarios")
	runs := flag.Int("runs", 3, "runs per scenario (the median is reported)")
	flag.Parse()
	size, err := parseSize(*sizeFlag)
	if err != nil {
		fatal(err)
	}
	if *child != "" {
		os.Exit(runChild(*child, size))
	}
	groups := map[string]bool{}
	for _, g := range strings.Split(*only, ",") {
		if g != "" {
			groups[g] = true
		}
	}
	env, err := setupParent()
	if err != nil {
		fatal(err)
	}
	defer env.close()
	fmt.Printf("| scenario | size | median time | throughput | ops/s | peak RSS | notes |\n|---|---|---|---|---|---|---|\n")
	var chosen []scenario
	for _, s := range scenarios {
		if len(groups) == 0 || groups[s.group] {
			chosen = append(chosen, s)
		}
	}
	// The runs alternate between the scenarios (A B A B ...), so that drift
	// of a shared machine (the page cache, the disk's writeback) weighs on
	// a scenario and its baseline alike.
	times := make([][]time.Duration, len(chosen))
	rss := make([][]int64, len(chosen))
	ops := make([]int, len(chosen))
	for range *runs {
		for i, s := range chosen {
			d, r, n, err := spawn(env, s.name, *sizeFlag)
			if err != nil {
				fatal(fmt.Errorf("%s: %w", s.name, err))
			}
			times[i], rss[i], ops[i] = append(times[i], d), append(rss[i], r), n
		}
	}
	for i, s := range chosen {
		slices.Sort(times[i])
		slices.Sort(rss[i])
		med := times[i][len(times[i])/2]
		thr := "-"
		if strings.Contains(s.desc, "stream") {
			thr = fmt.Sprintf("%.0f MiB/s", float64(size)/(1<<20)/med.Seconds())
		}
		fmt.Printf("| %s | %s | %v | %s | %.1f | %.1f MiB | %s |\n", s.name, *sizeFlag, med.Round(time.Millisecond), thr,
			float64(ops[i])/med.Seconds(), float64(rss[i][len(rss[i])-1])/1024, s.desc)
	}
	// Each group's first scenario is its baseline.
	fmt.Println()
	base := map[string]time.Duration{}
	for i, s := range chosen {
		med := times[i][len(times[i])/2]
		if b, ok := base[s.group]; !ok {
			base[s.group] = med
		} else {
			fmt.Printf("%s: %.2fx the throughput of its baseline (median of %d alternating runs)\n", s.name, b.Seconds()/med.Seconds(), *runs)
		}
	}
}

// spawn runs one scenario in a child process and reads its timing line and
// its peak RSS (KiB).
func spawn(env *benchEnv, name, size string) (time.Duration, int64, int, error) {
	cmd := exec.Command(os.Args[0], "-child", name, "-size", size)
	cmd.Env = append(os.Environ(), env.childEnv()...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, 0, 0, err
	}
	var ns int64
	var ops int
	if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), "ns=%d ops=%d", &ns, &ops); err != nil {
		return 0, 0, 0, fmt.Errorf("child said %q", out)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return time.Duration(ns), ru.Maxrss, ops, nil
}

func runChild(name string, size int64) int {
	for _, s := range scenarios {
		if s.name != name {
			continue
		}
		env, err := setupChild()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer env.close()
		start := time.Now()
		ops, err := s.run(env, size)
		d := time.Since(start)
		if err != nil {
			fmt.Fprintln(os.Stderr, name+":", err)
			return 1
		}
		fmt.Printf("ns=%d ops=%d\n", d.Nanoseconds(), ops)
		return 0
	}
	fmt.Fprintln(os.Stderr, "unknown scenario", name)
	return 2
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad -size %q", s)
	}
	return n * mult, nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}
