//go:build !unix

package service_test

import "time"

// cpuTime is 0 where getrusage is missing; the CPU metric then reads 0.
func cpuTime() time.Duration { return 0 }
