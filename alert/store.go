package alert

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	gojson "github.com/goccy/go-json"
	bolt "go.etcd.io/bbolt"
)

// File is the file of the index directory that holds the alerts, their
// outbox and the articles each has sent. It sits beside the generation
// folders, not in one, so a reindex (which swaps generations) keeps it.
const File = "alerts.db"

// Bucket names. sent/<alert> and queue/<alert> are nested buckets of sent
// and queue.
var (
	bktAlerts     = []byte("alerts")     // alert id → record
	bktSent       = []byte("sent")       // alert id → {article id → delivery id or ""}
	bktQueue      = []byte("queue")      // alert id → {article id → Article}
	bktDeliveries = []byte("deliveries") // seq → deliveryRec
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
// attempt sends unchanged.
type deliveryRec struct {
	Delivery
	Key  uint64 `json:"key"`
	Body []byte `json:"body"`
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
		for _, b := range [][]byte{bktAlerts, bktSent, bktQueue, bktDeliveries, bktBatches, bktMeta} {
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
		for _, b := range [][]byte{bktSent, bktQueue} {
			if err := tx.Bucket(b).DeleteBucket([]byte(id)); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
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
			if err := d.Delete(k); err != nil {
				return err
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

// commitMatches queues, for each alert, the matched articles it has never
// queued before, and removes the batch: both or neither.
func (s *store) commitMatches(seq uint64, matched map[string][]Article) (int, error) {
	queued := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		queued = 0
		for alertID, arts := range matched {
			if tx.Bucket(bktAlerts).Get([]byte(alertID)) == nil {
				continue // deleted meanwhile
			}
			sent, err := tx.Bucket(bktSent).CreateBucketIfNotExists([]byte(alertID))
			if err != nil {
				return err
			}
			q, err := tx.Bucket(bktQueue).CreateBucketIfNotExists([]byte(alertID))
			if err != nil {
				return err
			}
			for _, a := range arts {
				if sent.Get([]byte(a.ID)) != nil {
					continue // never the same article twice
				}
				b, err := gojson.Marshal(a)
				if err != nil {
					return err
				}
				if err := sent.Put([]byte(a.ID), []byte{}); err != nil {
					return err
				}
				if err := q.Put([]byte(a.ID), b); err != nil {
					return err
				}
				queued++
			}
		}
		return tx.Bucket(bktBatches).Delete(u64(seq))
	})
	return queued, err
}

// unsent returns those of ids the alert has not taken, in one read.
func (s *store) unsent(alertID string, ids []string) []string {
	out := ids
	_ = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktSent).Bucket([]byte(alertID))
		if b == nil {
			return nil
		}
		out = make([]string, 0, len(ids))
		for _, id := range ids {
			if b.Get([]byte(id)) == nil {
				out = append(out, id)
			}
		}
		return nil
	})
	return out
}

// queue returns the articles queued for the alert, in id order.
func (s *store) queue(alertID string) ([]Article, error) {
	var out []Article
	err := s.db.View(func(tx *bolt.Tx) error {
		q := tx.Bucket(bktQueue).Bucket([]byte(alertID))
		if q == nil {
			return nil
		}
		return q.ForEach(func(k, v []byte) error {
			var a Article
			// go-json: a round reads the queue of every alert.
			if err := gojson.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("decode queued %q: %w", k, err)
			}
			out = append(out, a)
			return nil
		})
	})
	return out, err
}

// newDelivery is a delivery to store and the digest time of its alert.
type newDelivery struct {
	d        *deliveryRec
	digestAt time.Time
	stored   bool // set by addDeliveries; false when the alert is gone
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
			if q := tx.Bucket(bktQueue).Bucket([]byte(d.AlertID)); q != nil {
				for _, id := range d.ArticleIDs {
					if err := q.Delete([]byte(id)); err != nil {
						return err
					}
				}
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

func (s *store) putDelivery(d *deliveryRec) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		return tx.Bucket(bktDeliveries).Put(u64(d.Key), b)
	})
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
