# terms-p50.py BASE_URL N: p50/p90/max latency of N GET /v1/terms requests over 8 queries
# (issue 17, acceptance 3), after one warm-up request per query.
import sys, time, urllib.parse, urllib.request, statistics
base = sys.argv[1]
qs = ["impeachment", "climate change", '"supreme court"', "immigration", "putin", "trade deficit", "oil prices", "coronavirus"]
for q in qs:  # warm-up
    urllib.request.urlopen(base + "/v1/terms?q=" + urllib.parse.quote(q)).read()
took = []
for i in range(int(sys.argv[2])):
    q = qs[i % len(qs)]
    t = time.perf_counter()
    urllib.request.urlopen(base + "/v1/terms?q=" + urllib.parse.quote(q)).read()
    took.append((time.perf_counter() - t) * 1000)
took.sort()
print(f"/v1/terms over {len(took)} requests ({len(qs)} queries): p50 {statistics.median(took):.0f} ms, p90 {took[int(len(took)*0.9)]:.0f} ms, max {took[-1]:.0f} ms")
