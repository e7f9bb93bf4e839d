package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/boiler"
)

// HeldoutGold is the held-out part of the entity gold set, relative to the
// repository root: labels only, keyed by article id, because the AllSides
// and Reuters texts may not be committed. Heldout resolves the ids to the
// texts in the shared corpora.
const HeldoutGold = "extract/testdata/gold/heldout.json"

// Corpus names of heldout.json entries.
const (
	CorpusAllSides = "allsides-abp"
	CorpusReuters  = "reuters"
)

// HeldoutEntry is one article of heldout.json: the corpus its id belongs to
// and its labels.
type HeldoutEntry struct {
	Corpus string `json:"corpus"`
	EntityLabels
}

// The held-out sample (extract/testdata/gold/README.md, "Held-out part"):
// heldoutPerOutlet articles from each AllSides outlet group and
// heldoutReuters Reuters-21578 stories, drawn with Sample and fixed seeds.
// Changing any of these changes which articles the sample names, and
// TestHeldoutSample then fails until heldout.json is labelled anew.
const (
	heldoutPerOutlet = 5
	heldoutReuters   = 20
	seedHeldout      = 16 // outlet group i uses seedHeldout+i, Reuters seedHeldout+len(groups)
	// heldoutMinWords drops Reuters' one-line briefs and bare result
	// tables ("Shr 10 cts vs 12 cts"), which name no entity and would
	// fill most of a uniform sample.
	heldoutMinWords = 100
)

// heldoutOutlets are the AllSides outlet groups the sample draws from, in
// order; a group takes every `source` value its match accepts.
var heldoutOutlets = []struct {
	name  string
	match func(source string) bool
}{
	{"The Hill", func(s string) bool { return s == "The Hill" }},
	{"National Review", func(s string) bool { return s == "National Review" }},
	{"CNN", func(s string) bool { return strings.HasPrefix(s, "CNN") }},                                // CNN (Web News), CNN - Editorial
	{"Fox", func(s string) bool { return strings.HasPrefix(s, "Fox News") || s == "Fox Online News" }}, // Fox Online News, Fox News, Fox News Opinion
}

// HeldoutSample returns the articles the held-out part was drawn as:
// for each outlet group in heldoutOutlets, heldoutPerOutlet of its AllSides
// articles with a body (Sample, seed seedHeldout+i, corpus order), then
// heldoutReuters Reuters-21578 stories of at least heldoutMinWords body
// words (seed seedHeldout+4). It is how heldout.json's ids were chosen.
func (s *Sources) HeldoutSample(ctx context.Context) ([]newsdex.Article, error) {
	as, err := s.allsides(ctx)
	if err != nil {
		return nil, err
	}
	var out []newsdex.Article
	for i, g := range heldoutOutlets {
		pool := slices.DeleteFunc(slices.Clone(as), func(a newsdex.Article) bool {
			return !g.match(publisher(a)) || noBody(a)
		})
		out = append(out, Sample(pool, heldoutPerOutlet, seedHeldout+uint64(i))...)
	}
	rt, err := s.reuters(ctx)
	if err != nil {
		return nil, err
	}
	pool := slices.DeleteFunc(slices.Clone(rt), func(a newsdex.Article) bool {
		return len(strings.Fields(a.Body)) < heldoutMinWords
	})
	return append(out, Sample(pool, heldoutReuters, seedHeldout+uint64(len(heldoutOutlets)))...), nil
}

// publisher is the AllSides `source` value the sample was drawn by: the
// publisher field before ingest named its canonical outlet
// (Labels["publisher"] keeps it when that changed it).
func publisher(a newsdex.Article) string {
	if p := a.Labels["publisher"]; len(p) > 0 {
		return p[0]
	}
	return a.Outlet
}

// LoadHeldoutLabels reads heldout.json.
func LoadHeldoutLabels(file string) (map[string]HeldoutEntry, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("eval: held-out gold: %w", err)
	}
	var m map[string]HeldoutEntry
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("eval: held-out gold %s: %w", file, err)
	}
	for id, e := range m {
		if e.Corpus != CorpusAllSides && e.Corpus != CorpusReuters {
			return nil, fmt.Errorf("eval: held-out gold %s: %s: corpus %q, want %s or %s", file, id, e.Corpus, CorpusAllSides, CorpusReuters)
		}
	}
	return m, nil
}

// HeldoutSet is the held-out part of the gold set resolved to its texts.
type HeldoutSet struct {
	// Articles are in corpus order: AllSides, then Reuters.
	Articles []newsdex.Article
	// Labels are keyed by article id, as EvaluateEntities wants them.
	Labels map[string]EntityLabels
	// Corpus maps each article id to CorpusAllSides or CorpusReuters.
	Corpus map[string]string
}

// Part returns the articles of one corpus.
func (h *HeldoutSet) Part(corpus string) []newsdex.Article {
	return slices.DeleteFunc(slices.Clone(h.Articles), func(a newsdex.Article) bool { return h.Corpus[a.ID] != corpus })
}

// Heldout returns the held-out part of the entity gold set: the articles
// named in heldout.json, read from the shared corpora by the same ingest
// readers (and AllSides field map) that index them, so the text is exactly
// what newsdex extracts from, with their labels. An id absent from its
// corpus is an error, not a skip: a silently smaller set would no longer be
// the one the README describes.
func (s *Sources) Heldout(ctx context.Context) (*HeldoutSet, error) {
	entries, err := LoadHeldoutLabels(filepath.Join(s.Repo, HeldoutGold))
	if err != nil {
		return nil, err
	}
	h := &HeldoutSet{Labels: make(map[string]EntityLabels, len(entries)), Corpus: make(map[string]string, len(entries))}
	for id, e := range entries {
		h.Labels[id] = e.EntityLabels
		h.Corpus[id] = e.Corpus
	}
	for _, c := range []struct {
		name string
		load func(context.Context) ([]newsdex.Article, error)
	}{{CorpusAllSides, s.allsides}, {CorpusReuters, s.reuters}} {
		want := 0
		for _, corpus := range h.Corpus {
			if corpus == c.name {
				want++
			}
		}
		if want == 0 {
			continue
		}
		arts, err := c.load(ctx)
		if err != nil {
			return nil, err
		}
		// Boilerplate is learnt over the whole corpus, as newsdex index
		// learns it over an import, and cleaned from the articles before
		// the extractor reads them, as the pipeline does.
		m := boiler.New(boiler.Options{})
		for i := range arts {
			m.Learn(&arts[i])
		}
		m.Freeze()
		found := map[string]bool{}
		for _, a := range arts {
			if h.Corpus[a.ID] == c.name && !found[a.ID] {
				m.Clean(&a)
				h.Articles = append(h.Articles, a)
				found[a.ID] = true
			}
		}
		if len(found) != want {
			var missing []string
			for id, corpus := range h.Corpus {
				if corpus == c.name && !found[id] {
					missing = append(missing, id)
				}
			}
			slices.Sort(missing)
			return nil, fmt.Errorf("eval: held-out gold: %d ids not in %s: %s", len(missing), c.name, strings.Join(missing, ", "))
		}
	}
	return h, nil
}
