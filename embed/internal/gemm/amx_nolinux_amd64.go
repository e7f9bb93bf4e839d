//go:build !linux

package gemm

// requestAMX reports false: only the Linux way of enabling the AMX tile
// state is implemented.
func requestAMX() bool { return false }
