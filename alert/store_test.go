package alert

import (
	"path/filepath"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestStoreQueue follows two alerts through batches, a delivery, a
// deletion and a reopening: each article is queued once per alert, the
// articles are stored once per batch and go with the last queue value
// that names them.
func TestStoreQueue(t *testing.T) {
	path := filepath.Join(t.TempDir(), File)
	st, err := openStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { st.close() }()
	recs := []record{{Alert: Alert{ID: "aaaa"}}, {Alert: Alert{ID: "bbbb"}}}
	for i := range recs {
		if err := st.createAlert(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	art := func(id, title string) Article { return Article{ID: id, Title: title} }
	commit := func(seq uint64, a, b []string, arts ...Article) int {
		t.Helper()
		m := matches{Members: [][]string{a, b}, Articles: map[string]Article{}}
		for _, x := range arts {
			m.Articles[x.ID] = x
		}
		n, err := st.commitMatches(seq, recs, m)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	queueOf := func(alertID string) (titles []string, batches []uint64) {
		t.Helper()
		q, err := st.queues([]string{alertID})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range q[0].Articles {
			titles = append(titles, a.ID+":"+a.Title)
		}
		return titles, q[0].Batches
	}
	stored := func() (batches []uint64) {
		t.Helper()
		_ = st.db.View(func(tx *bolt.Tx) error {
			return tx.Bucket(bktArticles).ForEach(func(k, _ []byte) error {
				batches = append(batches, u64of(k))
				return nil
			})
		})
		return batches
	}
	deliver := func(alertID string) {
		t.Helper()
		q, err := st.queues([]string{alertID})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, a := range q[0].Articles {
			ids = append(ids, a.ID)
		}
		d := &deliveryRec{Delivery: Delivery{ID: "d-" + alertID, AlertID: alertID, Status: StatusPending, ArticleIDs: ids}}
		if err := st.addDeliveries([]newDelivery{{d: d, batches: q[0].Batches}}); err != nil {
			t.Fatal(err)
		}
	}

	steps := []struct {
		name       string
		do         func()
		a, b       []string
		wantStored []uint64
	}{
		{"batch 100: both take x and y", func() {
			if n := commit(100, []string{"x", "y"}, []string{"x", "y"}, art("x", "1"), art("y", "1")); n != 4 {
				t.Errorf("queued %d, want 4", n)
			}
		}, []string{"x:1", "y:1"}, []string{"x:1", "y:1"}, []uint64{100}},
		{"batch 200: x again (replaced) and z for a", func() {
			if n := commit(200, []string{"x", "z"}, []string{"x"}, art("x", "2"), art("z", "2")); n != 1 {
				t.Errorf("queued %d, want 1 (z for a only)", n)
			}
		}, []string{"x:1", "y:1", "z:2"}, []string{"x:1", "y:1"}, []uint64{100, 200}},
		{"a delivered", func() { deliver("aaaa") }, nil, []string{"x:1", "y:1"}, []uint64{100}},
		{"b deleted", func() {
			if err := st.deleteAlert("bbbb"); err != nil {
				t.Fatal(err)
			}
		}, nil, nil, nil},
		{"reopened, batch 300: x, y, z, w for a", func() {
			if err := st.close(); err != nil {
				t.Fatal(err)
			}
			if st, err = openStore(path); err != nil {
				t.Fatal(err)
			}
			if n := commit(300, []string{"x", "y", "z", "w"}, nil, art("x", "3"), art("y", "3"), art("z", "3"), art("w", "3")); n != 1 {
				t.Errorf("queued %d, want 1 (w only)", n)
			}
		}, []string{"w:3"}, nil, []uint64{300}},
		{"a delivered again", func() { deliver("aaaa") }, nil, nil, nil},
	}
	for _, s := range steps {
		s.do()
		if got, _ := queueOf("aaaa"); !slices.Equal(got, s.a) {
			t.Errorf("%s: queue of a = %v, want %v", s.name, got, s.a)
		}
		if got, _ := queueOf("bbbb"); !slices.Equal(got, s.b) {
			t.Errorf("%s: queue of b = %v, want %v", s.name, got, s.b)
		}
		if got := stored(); !slices.Equal(got, s.wantStored) {
			t.Errorf("%s: articles stored for batches %v, want %v", s.name, got, s.wantStored)
		}
	}
}

func u64of(b []byte) uint64 {
	var n uint64
	for _, c := range b {
		n = n<<8 | uint64(c)
	}
	return n
}

func TestSeqAndIDLists(t *testing.T) {
	for _, seqs := range [][]uint64{nil, {1}, {1, 2, 300, 1 << 40}} {
		got, err := decodeSeqs(encodeSeqs(seqs))
		if err != nil || !slices.Equal(got, seqs) {
			t.Errorf("seqs %v: round trip %v, %v", seqs, got, err)
		}
	}
	for _, ids := range [][]string{nil, {""}, {"a", "b\nc", string(make([]byte, 300))}} {
		got, err := decodeIDs(encodeIDs(ids))
		if err != nil || !slices.Equal(got, ids) {
			t.Errorf("ids %q: round trip %q, %v", ids, got, err)
		}
	}
	if _, err := decodeIDs([]byte{5, 'a'}); err == nil {
		t.Error("a truncated id list decoded without error")
	}
}

// TestStoreDeliveryBody checks that a delivery keeps its exact body for
// every attempt while pending, and drops it once delivered or failed.
func TestStoreDeliveryBody(t *testing.T) {
	st, err := openStore(filepath.Join(t.TempDir(), File))
	if err != nil {
		t.Fatal(err)
	}
	defer st.close()
	r := record{Alert: Alert{ID: "aaaa"}}
	if err := st.createAlert(&r); err != nil {
		t.Fatal(err)
	}
	for _, final := range []string{StatusDelivered, StatusFailed} {
		d := &deliveryRec{Delivery: Delivery{ID: "d-" + final, AlertID: r.ID, Status: StatusPending}, Body: []byte(`{"x":"` + final + `"}`)}
		if err := st.addDeliveries([]newDelivery{{d: d}}); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			status string
			want   []string // bodies of the pending deliveries
		}{
			{StatusPending, []string{string(d.Body)}},
			{StatusPending, []string{string(d.Body)}},
			{final, nil},
		}
		for i, s := range steps {
			d.Status, d.Attempts = s.status, i+1
			if err := st.putDelivery(d); err != nil {
				t.Fatal(err)
			}
			ps, err := st.pending()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, string(p.Body))
				if p.ID != d.ID || p.Attempts != i+1 {
					t.Errorf("%s, attempt %d: pending %s after %d attempts", final, i+1, p.ID, p.Attempts)
				}
			}
			if !slices.Equal(got, s.want) {
				t.Errorf("%s, attempt %d (%s): pending bodies %q, want %q", final, i+1, s.status, got, s.want)
			}
		}
		all, err := st.deliveries(nil)
		if err != nil || len(all) == 0 || all[len(all)-1].Status != final {
			t.Errorf("%s: history %v, %v; want the delivery kept with its status", final, all, err)
		}
	}
}
