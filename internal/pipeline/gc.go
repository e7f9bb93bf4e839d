package pipeline

import (
	"math"
	"os"
	"runtime/debug"
)

// Garbage-collector settings of a bulk load. Indexing allocates fast
// (analysis, segment building) while the live heap stays small, so Go's
// default of collecting whenever the heap doubles spent about a fifth of
// the CPU of `newsdex index` on collection. The memory limit keeps the
// larger headroom from growing without bound: near it the collector runs
// as often as it must.
const (
	bulkGCPercent = 400
	// maxBulkMemoryLimit caps the limit on large machines.
	maxBulkMemoryLimit = 4 << 30
)

// TuneGCForBulk sets the garbage collector for a bulk load in this process
// and returns a function that restores the previous settings. Settings
// given in the environment (GOGC, GOMEMLIMIT) are left alone. It changes
// process-wide state, so only commands that do nothing but index call it.
func TuneGCForBulk() (restore func()) {
	prevPercent, prevLimit := -2, int64(-1)
	if os.Getenv("GOGC") == "" {
		prevPercent = debug.SetGCPercent(bulkGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		prevLimit = debug.SetMemoryLimit(bulkMemoryLimit())
	}
	return func() {
		if prevPercent != -2 {
			debug.SetGCPercent(prevPercent)
		}
		if prevLimit >= 0 {
			debug.SetMemoryLimit(prevLimit)
		}
	}
}

// bulkMemoryLimit is a quarter of physical memory, at most
// maxBulkMemoryLimit (which it also is when physical memory is unknown).
func bulkMemoryLimit() int64 {
	total := physicalMemory()
	if total == 0 {
		return maxBulkMemoryLimit
	}
	return int64(min(total/4, uint64(maxBulkMemoryLimit), math.MaxInt64))
}
