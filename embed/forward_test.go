package embed

import (
	"math"
	"testing"
)

func TestExpNeg(t *testing.T) {
	var worst float64
	for x := float32(-90); x <= 0; x += 0.000731 {
		want := math.Exp(float64(x))
		got := float64(expNeg(x))
		if want < 1.2e-38 {
			if got > 1.2e-38 {
				t.Fatalf("expNeg(%v) = %v, want < 1.2e-38", x, got)
			}
			continue
		}
		worst = max(worst, math.Abs(got-want)/want)
	}
	if worst > 3e-7 {
		t.Errorf("expNeg max relative error %g, want <= 3e-7", worst)
	}
	if got := expNeg(0); got != 1 {
		t.Errorf("expNeg(0) = %v, want 1", got)
	}
}
