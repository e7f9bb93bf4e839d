//go:build !linux

package pipeline

// physicalMemory returns 0: the RAM size is only read on Linux.
func physicalMemory() uint64 { return 0 }
