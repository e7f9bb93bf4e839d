//go:build race

package dedup

// raceEnabled is true when the race detector is on: tests that measure
// time or memory skip themselves then.
const raceEnabled = true
