package api

import (
	"bytes"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape fetches /metrics and parses it with the Prometheus text parser.
func scrape(t *testing.T, hz *harness) map[string]*dto.MetricFamily {
	t.Helper()
	rec := hz.get("/metrics")
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: %d %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, rec.Body)
	}
	return mfs
}

// value returns the counter, gauge or histogram count of the series of
// family name whose labels include want, or NaN.
func value(mfs map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	mf := mfs[name]
	if mf == nil {
		return math.NaN()
	}
next:
	for _, m := range mf.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	return math.NaN()
}

func TestMetrics(t *testing.T) {
	eng, w := fixture(t)
	reg := prometheus.NewRegistry()
	hz := newHarness(t, eng, Options{Writer: w, APIKeys: []string{testKey}, Metrics: reg})

	before := scrape(t, hz)
	if got := value(before, "newsdex_index_articles", nil); got != 5 {
		t.Errorf("newsdex_index_articles = %v, want 5", got)
	}
	searchOK := map[string]string{"method": "GET", "route": "/v1/search", "status": "200"}
	if got := value(before, "newsdex_http_requests_total", searchOK); !math.IsNaN(got) {
		t.Errorf("search counter before any search: %v", got)
	}

	for range 3 {
		hz.get("/v1/search?q=pipeline")
	}
	hz.get("/v1/search?size=0")
	hz.get("/v1/nowhere")
	hz.do(withKey(jsonReq(http.MethodPost, "/v1/articles", `[{"id":"m1","title":"a"},{"id":"m2","title":"b"}]`)))
	hz.do(withKey(httptest.NewRequest(http.MethodDelete, "/v1/articles/m1", nil)))

	after := scrape(t, hz)
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"newsdex_http_requests_total", searchOK, 3},
		{"newsdex_http_request_duration_seconds", searchOK, 3},
		{"newsdex_http_requests_total", map[string]string{"route": "/v1/search", "status": "400"}, 1},
		{"newsdex_http_requests_total", map[string]string{"route": "unmatched", "status": "404"}, 1},
		{"newsdex_http_requests_total", map[string]string{"route": "/metrics", "status": "200"}, 1},
		{"newsdex_search_duration_seconds", map[string]string{"mode": "lexical"}, 3},
		{"newsdex_api_articles_indexed_total", nil, 2},
		{"newsdex_api_articles_deleted_total", nil, 1},
		{"newsdex_index_articles", nil, 6},
	}
	for _, c := range checks {
		if got := value(after, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	// The registry is the caller's: the metrics are on it, not on the
	// global default registry.
	mfs, err := reg.Gather()
	if err != nil || len(mfs) == 0 {
		t.Fatalf("caller's registry: %d families, %v", len(mfs), err)
	}
	def, _ := prometheus.DefaultGatherer.Gather()
	for _, mf := range def {
		if mf.GetName() == "newsdex_http_requests_total" {
			t.Error("metrics leaked onto the default registry")
		}
	}
}

// stubIndex adds the optional index interfaces to a fake searcher.
type stubIndex struct {
	fakeSearcher
}

func (stubIndex) Count() (uint64, error)        { return 7, nil }
func (stubIndex) PassageCount() (uint64, error) { return 21, nil }
func (stubIndex) Generation() string            { return "gen-000003" }

func TestMetricsOptionalGauges(t *testing.T) {
	hz := newHarness(t, &stubIndex{}, Options{})
	mfs := scrape(t, hz)
	for name, want := range map[string]float64{"newsdex_index_articles": 7, "newsdex_index_passages": 21, "newsdex_index_generation": 3} {
		if got := value(mfs, name, nil); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	// A plain searcher has none of them, and that is not an error.
	mfs = scrape(t, newHarness(t, &fakeSearcher{}, Options{}))
	if _, ok := mfs["newsdex_index_passages"]; ok {
		t.Error("passages gauge without a passage counter")
	}
}

// TestTwoServersOneRegistry: a second server on the same registry shares
// the collectors instead of panicking.
func TestTwoServersOneRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	a := newHarness(t, &fakeSearcher{}, Options{Metrics: reg})
	b := newHarness(t, &fakeSearcher{}, Options{Metrics: reg})
	a.get("/healthz")
	b.get("/healthz")
	if got := value(scrape(t, a), "newsdex_http_requests_total", map[string]string{"route": "/healthz"}); got != 2 {
		t.Errorf("shared counter = %v, want 2", got)
	}
}
