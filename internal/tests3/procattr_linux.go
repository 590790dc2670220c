package tests3

import (
	"os/exec"
	"syscall"
)

// setProcAttr makes the kernel kill the server when the test process dies
// without stopping it (a panic, a timeout).
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
