package search

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestBucketKeys(t *testing.T) {
	tests := []struct {
		name, first, last, interval string
		want                        []string
	}{
		{"none", "", "", "month", []string{}},
		{"months across a year", "2019-11", "2020-02", "month", []string{"2019-11", "2019-12", "2020-01", "2020-02"}},
		{"ISO weeks across a year", "2019-W52", "2020-W02", "week", []string{"2019-W52", "2020-W01", "2020-W02"}},
		{"53-week year", "2020-W52", "2021-W01", "week", []string{"2020-W52", "2020-W53", "2021-W01"}},
		{"days across February", "2020-02-28", "2020-03-01", "day", []string{"2020-02-28", "2020-02-29", "2020-03-01"}},
		{"years", "2017", "2020", "year", []string{"2017", "2018", "2019", "2020"}},
		{"one", "2019-10", "2019-10", "month", []string{"2019-10"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := bucketKeys(tc.first, tc.last, tc.interval)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("bucketKeys(%q, %q, %s) mismatch (-want +got):\n%s", tc.first, tc.last, tc.interval, diff)
			}
		})
	}
	if _, err := bucketKeys("1900-01-01", "2020-01-01", "day"); err == nil || !IsParamError(err) {
		t.Errorf("120 years of days: %v, want a ParamError", err)
	}
}

func TestIntervalFor(t *testing.T) {
	d := func(s string) time.Time {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	tests := []struct {
		first, last string
		want        string
	}{
		{"2020-01-01", "2020-01-20", "day"},
		{"2020-01-01", "2020-02-29", "day"}, // 60 days
		{"2020-01-01", "2020-03-01", "week"},
		{"2019-01-01", "2020-02-01", "week"},
		{"2017-01-01", "2020-07-21", "month"},
		{"1987-02-26", "2020-07-21", "year"},
		{"", "", "month"},
	}
	for _, tc := range tests {
		var first, last time.Time
		if tc.first != "" {
			first, last = d(tc.first), d(tc.last)
		}
		if got := intervalFor(first, last); got != tc.want {
			t.Errorf("intervalFor(%s, %s) = %s, want %s", tc.first, tc.last, got, tc.want)
		}
	}
}

func TestJLH(t *testing.T) {
	tests := []struct {
		name                      string
		count, total, back, backN int
		want                      float64
	}{
		// Elasticsearch's documented example shape: 5% of the set, 0.1%
		// of the background.
		{"rare in the background", 50, 1000, 100, 100000, (0.05 - 0.001) * 0.05 / 0.001},
		{"as common as anywhere", 10, 100, 100, 1000, 0},
		{"rarer in the set", 1, 100, 100, 1000, 0},
		{"empty set", 0, 0, 0, 1000, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := jlh(tc.count, uint64(tc.total), tc.back, uint64(tc.backN))
			if diff := got - tc.want; diff > 1e-9 || diff < -1e-9 {
				t.Errorf("jlh = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTimelineRequestCheck(t *testing.T) {
	tests := []struct {
		name  string
		tr    TimelineRequest
		param string // "" = valid
	}{
		{"defaults", TimelineRequest{}, ""},
		{"nine series", TimelineRequest{Queries: strings.Split("a,b,c,d,e,f,g,h,i", ",")}, "q"},
		{"labels beyond queries", TimelineRequest{Queries: []string{"a"}, Labels: []string{"x", "y"}}, "label"},
		{"auto", TimelineRequest{Interval: IntervalAuto}, ""},
		{"hour", TimelineRequest{Interval: "hour"}, "interval"},
		{"split of two", TimelineRequest{Queries: []string{"a", "b"}, Split: FilterOutlet}, "split"},
		{"split size alone", TimelineRequest{SplitSize: 3}, "split_size"},
		{"split size too big", TimelineRequest{Split: FilterPerson, SplitSize: MaxSplitSize + 1}, "split_size"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.tr.check()
			var pe *ParamError
			switch {
			case tc.param == "" && err != nil:
				t.Errorf("check: %v", err)
			case tc.param != "" && (!errors.As(err, &pe) || pe.Param != tc.param):
				t.Errorf("check: %v, want a ParamError on %s", err, tc.param)
			}
		})
	}
}
