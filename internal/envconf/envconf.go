// Package envconf holds the small helpers the providers' ConfigFromEnv
// functions share: which required variables are missing, and boolean flags.
package envconf

import (
	"fmt"
	"os"
	"strconv"
)

// Var is a variable's name and the value read for it.
type Var struct{ Name, Value string }

// Missing returns, in order, the names of vars whose value is empty.
func Missing(vars ...Var) []string {
	var out []string
	for _, v := range vars {
		if v.Value == "" {
			out = append(out, v.Name)
		}
	}
	return out
}

// Bool reads the boolean variable name ("true", "false", "1", "0", ...);
// unset is false.
func Bool(name string) (bool, error) {
	v := os.Getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s must be true or false", name)
	}
	return b, nil
}
