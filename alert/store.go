package alert

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"
	bolt "go.etcd.io/bbolt"
)

// File is the file of the index directory that holds the alerts, their
// outbox and the articles each has sent. It sits beside the generation
// folders, not in one, so a reindex (which swaps generations) keeps it.
const File = "alerts.db"

// Bucket names. Matched articles are stored once per batch (articles),
// not once per alert that takes them: a batch of 2,000 articles against a
// thousand alerts can give a hundred thousand (alert, article) pairs, and
// writing a copy of the article and a marker for each was most of the
// cost of alerts on indexing. An alert's queue holds only ids, one value
// per batch, and what each alert has taken is one value per article.
var (
	bktAlerts     = []byte("alerts")     // alert id → record
	bktTaken      = []byte("taken")      // article id → seqs of the alerts that took it (seqList)
	bktQueue      = []byte("queue2")     // alert id, 0, batch seq → ids queued from that batch (idList)
	bktArticles   = []byte("articles")   // batch seq → {article id → Article}: the queued articles
	bktRefs       = []byte("refs")       // batch seq → how many queue values name it (uvarint)
	bktDeliveries = []byte("deliveries") // seq → deliveryRec (without its body)
	bktBodies     = []byte("bodies")     // seq → body of a pending delivery
	bktPending    = []byte("pending")    // seq → nothing: the deliveries still to send
	bktBatches    = []byte("batches")    // seq → article ids written (write-ahead)
	bktMeta       = []byte("meta")       // its sequence orders alerts and batches
)

// record is an alert as stored: with its secret and sequence number.
type record struct {
	Alert
	Secret string `json:"secret"`
	// Seq orders the alert against batches: a batch matches the alerts
	// created before it began.
	Seq uint64 `json:"seq"`
	// LastDigest is when the last digest was formed (Created at first).
	LastDigest time.Time `json:"last_digest"`
}

// deliveryRec is a delivery as stored: with its exact body, which every
// attempt sends unchanged. The body is kept apart (bodies) and only while
// the delivery is pending: the record is rewritten after every attempt
// and a round reads the pending ones, while a body can hold hundreds of
// articles.
type deliveryRec struct {
	Delivery
	Key  uint64 `json:"key"`
	Body []byte `json:"-"`
}

// batch is a write-ahead record: articles about to be written that no
// alert has been matched against yet.
type batch struct {
	Seq uint64
	IDs []string
}

// store keeps everything in one bbolt file; every change is one
// transaction, durable when it returns.
type store struct {
	db *bolt.DB
}

func openStore(path string) (*store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("alert: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bktAlerts, bktTaken, bktQueue, bktArticles, bktRefs, bktDeliveries, bktBodies, bktPending, bktBatches, bktMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("alert: init %s: %w", path, err)
	}
	return &store{db: db}, nil
}

func (s *store) close() error { return s.db.Close() }

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

func nextSeq(tx *bolt.Tx) (uint64, error) { return tx.Bucket(bktMeta).NextSequence() }

func (s *store) createAlert(r *record) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		seq, err := nextSeq(tx)
		if err != nil {
			return err
		}
		r.Seq = seq
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return tx.Bucket(bktAlerts).Put([]byte(r.ID), b)
	})
}

func (s *store) alerts() ([]record, error) {
	var out []record
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bktAlerts).ForEach(func(k, v []byte) error {
			var r record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode alert %q: %w", k, err)
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

func (s *store) alert(id string) (record, error) {
	var r record
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bktAlerts).Get([]byte(id))
		if v == nil {
			return ErrNotFound
		}
		return json.Unmarshal(v, &r)
	})
	return r, err
}

// deleteAlert removes the alert, its queue, its sent set and its pending
// deliveries; delivered and failed ones stay as history until pruned.
func (s *store) deleteAlert(id string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bktAlerts).Get([]byte(id)) == nil {
			return ErrNotFound
		}
		if err := tx.Bucket(bktAlerts).Delete([]byte(id)); err != nil {
			return err
		}
		// Its queue goes; what it took stays in taken (alert seqs are
		// never reused, so the stale entries name no alert).
		c := tx.Bucket(bktQueue).Cursor()
		prefix := queuePrefix(id)
		var keys [][]byte
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			keys = append(keys, append([]byte(nil), k...))
		}
		for _, k := range keys {
			if err := tx.Bucket(bktQueue).Delete(k); err != nil {
				return err
			}
			if err := unref(tx, binary.BigEndian.Uint64(k[len(prefix):])); err != nil {
				return err
			}
		}
		d := tx.Bucket(bktDeliveries)
		var drop [][]byte
		if err := d.ForEach(func(k, v []byte) error {
			var r deliveryRec
			if json.Unmarshal(v, &r) == nil && r.AlertID == id {
				drop = append(drop, append([]byte(nil), k...))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range drop {
			for _, b := range [][]byte{bktDeliveries, bktBodies, bktPending} {
				if err := tx.Bucket(b).Delete(k); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// beginBatch records ids as about to be written and returns the batch's
// sequence number.
func (s *store) beginBatch(ids []string) (uint64, error) {
	var seq uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bktAlerts).Cursor().First(); k == nil {
			seq = 0 // no alert: nothing to match later
			return nil
		}
		var err error
		if seq, err = nextSeq(tx); err != nil {
			return err
		}
		b, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		return tx.Bucket(bktBatches).Put(u64(seq), b)
	})
	return seq, err
}

func (s *store) dropBatch(seq uint64) error {
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bktBatches).Delete(u64(seq)) })
}

// batches returns the batches not yet matched, oldest first.
func (s *store) batches() ([]batch, error) {
	var out []batch
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bktBatches).ForEach(func(k, v []byte) error {
			b := batch{Seq: binary.BigEndian.Uint64(k)}
			if err := json.Unmarshal(v, &b.IDs); err != nil {
				return fmt.Errorf("decode batch %d: %w", b.Seq, err)
			}
			out = append(out, b)
			return nil
		})
	})
	return out, err
}

// matches is what a batch matched: for the i-th alert of the round, the
// ids of the batch in its match set (Members[i]), and each of those
// articles as a delivery shows it.
type matches struct {
	Members  [][]string
	Articles map[string]Article
}

// commitMatches queues, for each alert of recs (created before the batch
// began, or given no members), the matched articles it has never taken,
// stores those articles once, and removes the batch: all or nothing.
// It returns the number of (alert, article) pairs queued.
func (s *store) commitMatches(seq uint64, recs []record, m matches) (int, error) {
	queued := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		queued = 0
		ab := tx.Bucket(bktAlerts)
		// The alerts that want each article, by seq.
		want := map[string][]uint64{}
		idOf := map[uint64]string{}
		for i, r := range recs {
			if i >= len(m.Members) || len(m.Members[i]) == 0 {
				continue
			}
			if ab.Get([]byte(r.ID)) == nil {
				continue // deleted meanwhile
			}
			idOf[r.Seq] = r.ID
			for _, id := range m.Members[i] {
				if _, ok := m.Articles[id]; ok {
					want[id] = append(want[id], r.Seq)
				}
			}
		}
		ids := make([]string, 0, len(want))
		for id := range want {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		taken := tx.Bucket(bktTaken)
		var arts *bolt.Bucket
		byAlert := map[uint64][]string{}
		for _, id := range ids {
			had, err := decodeSeqs(taken.Get([]byte(id)))
			if err != nil {
				return fmt.Errorf("decode taken %q: %w", id, err)
			}
			all := slices.Clone(had)
			for _, a := range want[id] {
				if _, found := slices.BinarySearch(had, a); !found { // never the same article twice
					all = append(all, a)
					byAlert[a] = append(byAlert[a], id)
				}
			}
			if len(all) == len(had) {
				continue
			}
			slices.Sort(all)
			if err := taken.Put([]byte(id), encodeSeqs(all)); err != nil {
				return err
			}
			if arts == nil {
				var err error
				if arts, err = tx.Bucket(bktArticles).CreateBucketIfNotExists(u64(seq)); err != nil {
					return err
				}
			}
			b, err := gojson.Marshal(m.Articles[id])
			if err != nil {
				return err
			}
			if err := arts.Put([]byte(id), b); err != nil {
				return err
			}
		}
		q := tx.Bucket(bktQueue)
		refs := 0
		for a, ids := range byAlert {
			k := queueKey(idOf[a], seq)
			old := q.Get(k)
			if old != nil {
				// A batch is committed once (its record goes in this
				// transaction); keep any earlier value all the same.
				prev, err := decodeIDs(old)
				if err != nil {
					return fmt.Errorf("decode queue of %q: %w", idOf[a], err)
				}
				ids = append(prev, ids...)
			} else {
				refs++
			}
			if err := q.Put(k, encodeIDs(ids)); err != nil {
				return err
			}
			queued += len(ids)
		}
		if refs > 0 {
			n, _ := binary.Uvarint(tx.Bucket(bktRefs).Get(u64(seq)))
			if err := tx.Bucket(bktRefs).Put(u64(seq), binary.AppendUvarint(nil, n+uint64(refs))); err != nil {
				return err
			}
		}
		return tx.Bucket(bktBatches).Delete(u64(seq))
	})
	return queued, err
}

// unref drops one reference to the articles of batch seq, and them with
// the last.
func unref(tx *bolt.Tx, seq uint64) error {
	refs := tx.Bucket(bktRefs)
	n, _ := binary.Uvarint(refs.Get(u64(seq)))
	if n > 1 {
		return refs.Put(u64(seq), binary.AppendUvarint(nil, n-1))
	}
	if err := refs.Delete(u64(seq)); err != nil {
		return err
	}
	if err := tx.Bucket(bktArticles).DeleteBucket(u64(seq)); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
		return err
	}
	return nil
}

func queuePrefix(alertID string) []byte { return append([]byte(alertID), 0) }

func queueKey(alertID string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(queuePrefix(alertID), seq)
}

// encodeSeqs writes ascending seqs as uvarint gaps.
func encodeSeqs(seqs []uint64) []byte {
	b := make([]byte, 0, 2*len(seqs))
	prev := uint64(0)
	for _, s := range seqs {
		b = binary.AppendUvarint(b, s-prev)
		prev = s
	}
	return b
}

func decodeSeqs(b []byte) ([]uint64, error) {
	var out []uint64
	prev := uint64(0)
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, errors.New("bad uvarint")
		}
		prev += d
		out = append(out, prev)
		b = b[n:]
	}
	return out, nil
}

// encodeIDs writes ids each after its length.
func encodeIDs(ids []string) []byte {
	n := 0
	for _, id := range ids {
		n += len(id) + 2
	}
	b := make([]byte, 0, n)
	for _, id := range ids {
		b = binary.AppendUvarint(b, uint64(len(id)))
		b = append(b, id...)
	}
	return b
}

func decodeIDs(b []byte) ([]string, error) {
	var out []string
	for len(b) > 0 {
		l, n := binary.Uvarint(b)
		if n <= 0 || uint64(len(b)-n) < l {
			return nil, errors.New("bad id list")
		}
		out = append(out, string(b[n:n+int(l)]))
		b = b[n+int(l):]
	}
	return out, nil
}

// queued is an alert's queue: its articles in id order, and the batches
// they came from (whose queue values a delivery of them removes).
type queued struct {
	Articles []Article
	Batches  []uint64
}

// queues returns the queue of each of alertIDs, in one read; an article
// queued for many alerts is decoded once.
func (s *store) queues(alertIDs []string) ([]queued, error) {
	out := make([]queued, len(alertIDs))
	err := s.db.View(func(tx *bolt.Tx) error {
		type key struct {
			seq uint64
			id  string
		}
		seen := map[key]Article{}
		c := tx.Bucket(bktQueue).Cursor()
		for i, alertID := range alertIDs {
			prefix := queuePrefix(alertID)
			for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
				seq := binary.BigEndian.Uint64(k[len(prefix):])
				ids, err := decodeIDs(v)
				if err != nil {
					return fmt.Errorf("decode queue of %q: %w", alertID, err)
				}
				arts := tx.Bucket(bktArticles).Bucket(u64(seq))
				for _, id := range ids {
					a, ok := seen[key{seq, id}]
					if !ok {
						var raw []byte
						if arts != nil {
							raw = arts.Get([]byte(id))
						}
						if raw == nil {
							return fmt.Errorf("queued article %q of batch %d is missing", id, seq)
						}
						// go-json: a round reads the queue of every alert.
						if err := gojson.Unmarshal(raw, &a); err != nil {
							return fmt.Errorf("decode queued %q: %w", id, err)
						}
						seen[key{seq, id}] = a
					}
					out[i].Articles = append(out[i].Articles, a)
				}
				out[i].Batches = append(out[i].Batches, seq)
			}
			slices.SortFunc(out[i].Articles, func(a, b Article) int { return strings.Compare(a.ID, b.ID) })
		}
		return nil
	})
	return out, err
}

// queue returns the articles queued for the alert, in id order.
func (s *store) queue(alertID string) ([]Article, error) {
	q, err := s.queues([]string{alertID})
	if err != nil {
		return nil, err
	}
	return q[0].Articles, nil
}

// newDelivery is a delivery to store and the digest time of its alert.
type newDelivery struct {
	d        *deliveryRec
	digestAt time.Time
	batches  []uint64 // the alert's queue values its articles came from
	stored   bool     // set by addDeliveries; false when the alert is gone
}

// addDeliveries stores each delivery with its body and takes its articles
// off its alert's queue, all in one transaction (one sync to disk for a
// round, not one per alert); digestAt marks the alert's digest done. A
// delivery of a deleted alert is left out.
func (s *store) addDeliveries(ds []newDelivery) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		ab := tx.Bucket(bktAlerts)
		for i := range ds {
			d := ds[i].d
			ds[i].stored = false
			v := ab.Get([]byte(d.AlertID))
			if v == nil {
				continue
			}
			seq, err := nextSeq(tx)
			if err != nil {
				return err
			}
			d.Key = seq
			b, err := json.Marshal(d)
			if err != nil {
				return err
			}
			if err := tx.Bucket(bktDeliveries).Put(u64(seq), b); err != nil {
				return err
			}
			if err := tx.Bucket(bktBodies).Put(u64(seq), d.Body); err != nil {
				return err
			}
			if err := tx.Bucket(bktPending).Put(u64(seq), nil); err != nil {
				return err
			}
			if err := dequeue(tx, d.AlertID, ds[i].batches, d.ArticleIDs); err != nil {
				return err
			}
			var r record
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			r.LastDigest = ds[i].digestAt
			rb, err := json.Marshal(r)
			if err != nil {
				return err
			}
			if err := ab.Put([]byte(r.ID), rb); err != nil {
				return err
			}
			ds[i].stored = true
		}
		return nil
	})
}

// dequeue takes ids off the alert's queue values of batches, and drops a
// value (and its reference to the batch's articles) once it is empty.
func dequeue(tx *bolt.Tx, alertID string, batches []uint64, ids []string) error {
	gone := make(map[string]bool, len(ids))
	for _, id := range ids {
		gone[id] = true
	}
	q := tx.Bucket(bktQueue)
	for _, seq := range batches {
		k := queueKey(alertID, seq)
		v := q.Get(k)
		if v == nil {
			continue
		}
		have, err := decodeIDs(v)
		if err != nil {
			return fmt.Errorf("decode queue of %q: %w", alertID, err)
		}
		left := slices.DeleteFunc(have, func(id string) bool { return gone[id] })
		if len(left) > 0 {
			if err := q.Put(k, encodeIDs(left)); err != nil {
				return err
			}
			continue
		}
		if err := q.Delete(k); err != nil {
			return err
		}
		if err := unref(tx, seq); err != nil {
			return err
		}
	}
	return nil
}

// putDelivery records the outcome of an attempt; a delivery no longer
// pending loses its body. The attempts of a round run in parallel and
// their records share transactions (bbolt's Batch): one sync to disk for
// several, and fewer waits for the write-ahead records of indexing
// (beginBatch) behind them. A crash before the record is durable resends
// the same delivery: at least once.
func (s *store) putDelivery(d *deliveryRec) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return s.db.Batch(func(tx *bolt.Tx) error {
		k := u64(d.Key)
		if err := tx.Bucket(bktDeliveries).Put(k, b); err != nil {
			return err
		}
		if d.Status == StatusPending {
			return nil
		}
		if err := tx.Bucket(bktBodies).Delete(k); err != nil {
			return err
		}
		return tx.Bucket(bktPending).Delete(k)
	})
}

// pending returns the pending deliveries with their bodies, oldest first.
func (s *store) pending() ([]deliveryRec, error) {
	var out []deliveryRec
	err := s.db.View(func(tx *bolt.Tx) error {
		d, bodies := tx.Bucket(bktDeliveries), tx.Bucket(bktBodies)
		return tx.Bucket(bktPending).ForEach(func(k, _ []byte) error {
			var r deliveryRec
			v := d.Get(k)
			if v == nil {
				return fmt.Errorf("pending delivery %x has no record", k)
			}
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode delivery %x: %w", k, err)
			}
			r.Body = append([]byte(nil), bodies.Get(k)...)
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// deliveries returns the deliveries that keep, oldest first, for which
// keep is true (nil keeps all).
func (s *store) deliveries(keep func(*deliveryRec) bool) ([]deliveryRec, error) {
	var out []deliveryRec
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bktDeliveries).ForEach(func(k, v []byte) error {
			var r deliveryRec
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode delivery %x: %w", k, err)
			}
			if keep == nil || keep(&r) {
				out = append(out, r)
			}
			return nil
		})
	})
	return out, err
}
