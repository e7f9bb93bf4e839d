package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/newsdex/newsdex"
)

// recorder is a writer that keeps the last version written of each id.
type recorder struct {
	mu    sync.Mutex
	last  map[string]string
	calls int
	fail  error

	// With hold set, the first Add waits until another Add has finished,
	// so that writers overtake each other on every run rather than when
	// the scheduler happens to let them: a writer that gets a later part
	// of the same ids before the held one would show as a stale version.
	hold      bool
	held      bool          // the first Add has started
	overtaken chan struct{} // closed when an Add finishes while the first is held
	passed    bool          // some Add finished while the first was held
}

func newRecorder(hold bool) *recorder {
	return &recorder{last: map[string]string{}, hold: hold, overtaken: make(chan struct{})}
}

func (r *recorder) Add(_ context.Context, arts []newsdex.Article) error {
	r.mu.Lock()
	first := r.hold && !r.held
	r.held = true
	r.mu.Unlock()
	if first {
		<-r.overtaken
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hold && !first && !r.passed {
		r.passed = true
		defer close(r.overtaken)
	}
	if r.fail != nil {
		return r.fail
	}
	r.calls++
	for _, a := range arts {
		r.last[a.ID] = a.Title
	}
	return nil
}

func TestRunKeepsEachIDInOrder(t *testing.T) {
	// 300 articles over 40 ids: each id is written several times, and the
	// last version in the input must be the one that stays.
	var input []newsdex.Article
	want := map[string]string{}
	for i := range 300 {
		id := fmt.Sprintf("id-%02d", i%40)
		a := newsdex.Article{ID: id, Title: fmt.Sprintf("v%d", i), Body: "Talks on the gas pipeline."}
		input = append(input, a)
		want[id] = a.Title
	}
	src := func(ctx context.Context, emit func(newsdex.Article) error) error {
		for _, a := range input {
			if err := emit(a); err != nil {
				return err
			}
		}
		return nil
	}
	for _, tc := range []struct{ writers, batch, workers int }{{1, 7, 1}, {2, 7, 1}, {3, 16, 1}, {2, 1000, 1}} {
		t.Run(fmt.Sprintf("%d writers, batch %d", tc.writers, tc.batch), func(t *testing.T) {
			rec := newRecorder(tc.writers > 1)
			var prepared []string
			progress := 0
			sum, err := Run(context.Background(), src, nil, rec, Options{
				BatchSize: tc.batch, Writers: tc.writers, Workers: tc.workers,
				Prepare: func(_ context.Context, batch []newsdex.Article) error {
					for _, a := range batch {
						prepared = append(prepared, a.Title)
					}
					return nil
				},
				Progress: func(n int) { progress = max(progress, n) },
			})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Read != 300 || sum.Indexed != 300 || progress != 300 {
				t.Errorf("read %d, indexed %d, progress %d; want 300", sum.Read, sum.Indexed, progress)
			}
			for id, v := range want {
				if got := rec.last[id]; got != v {
					t.Errorf("%s: last written %q, want %q", id, got, v)
				}
			}
			if rec.hold && !rec.passed {
				t.Error("no writer overtook the held one")
			}
			// One worker keeps the input order, so Prepare must see it too,
			// every article once.
			if len(prepared) != len(input) {
				t.Fatalf("Prepare saw %d articles, want %d", len(prepared), len(input))
			}
			for i, v := range prepared {
				if v != input[i].Title {
					t.Fatalf("Prepare saw %q at %d, input has %q", v, i, input[i].Title)
				}
			}
		})
	}
}

func TestRunStopsOnWriteError(t *testing.T) {
	boom := errors.New("disk full")
	rec := newRecorder(false)
	rec.fail = boom
	src := func(ctx context.Context, emit func(newsdex.Article) error) error {
		for i := range 10000 {
			if err := emit(newsdex.Article{ID: fmt.Sprint(i)}); err != nil {
				return err
			}
		}
		return nil
	}
	_, err := Run(context.Background(), src, nil, rec, Options{BatchSize: 10, Writers: 2})
	if !errors.Is(err, boom) {
		t.Fatalf("Run = %v, want %v", err, boom)
	}
}
