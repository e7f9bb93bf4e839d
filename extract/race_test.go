//go:build race

package extract

// raceEnabled is true when the race detector is on.
const raceEnabled = true
