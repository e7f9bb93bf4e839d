# timeline-check.py BASE_URL QUERY...: per month, each /v1/timeline count equals the
# /v1/search total with that month's from/to, and all equals the match-all total
import json, sys, urllib.parse, urllib.request, datetime
base = sys.argv[1]
qs = sys.argv[2:]
def get(path, params):
    with urllib.request.urlopen(base + path + "?" + urllib.parse.urlencode(params, doseq=True)) as r:
        return json.load(r)
tl = get("/v1/timeline", {"q": qs, "interval": "month"})
for s in tl["series"]:
    bad = checked = 0
    for b in s["buckets"]:
        to = (datetime.date.fromisoformat(b["to"]) - datetime.timedelta(days=1)).isoformat()
        n = get("/v1/search", {"q": s["q"], "from": b["from"], "to": to, "size": 1, "snippets": 0})["total"]
        a = get("/v1/search", {"from": b["from"], "to": to, "size": 1, "snippets": 0})["total"]
        checked += 1
        if n != b["count"] or a != b["all"]:
            bad += 1
            print("MISMATCH", s["q"], b["key"], b["count"], n, b["all"], a)
    print(f"q={s['q']!r}: total {s['total']}, {checked} months checked, {bad} mismatches, sum of counts {sum(b['count'] for b in s['buckets'])}, "
          f"peak {max(s['buckets'], key=lambda b: b['share'])['key']} share {max(b['share'] for b in s['buckets']):.3f}")
