package gemm

import "syscall"

// requestAMX asks Linux for the AMX tile data state, which it hands out
// per process on request (arch_prctl ARCH_REQ_XCOMP_PERM), and reports
// whether it was granted.
func requestAMX() bool {
	const archReqXcompPerm, xfeatureXtiledata = 0x1023, 18
	_, _, errno := syscall.RawSyscall(syscall.SYS_ARCH_PRCTL, archReqXcompPerm, xfeatureXtiledata, 0)
	return errno == 0
}
