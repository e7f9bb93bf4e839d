#!/usr/bin/env python3
"""Acceptance 2 of issue 17: export a whole index from a running server.

Usage: scripts/export-bench.py BASE_URL SERVER_PID [QUERY_STRING [EXPORT_ONLY]]

EXPORT_ONLY holds parameters of the export alone, e.g. fields=id,body.

For csv and jsonl (without bodies), streams GET /v1/export?QUERY_STRING,
parses the body back (csv module; json per line), checks the row count
against X-Total-Count and /v1/search's total, and reports the rate and
the server's resident memory (VmRSS) before, at its peak during the
export (sampled every 50 ms from /proc/PID/status) and after.
"""
import csv
import io
import json
import sys
import threading
import time
import urllib.request


def rss_kb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError("no " + field)


def main():
    base, pid = sys.argv[1].rstrip("/"), int(sys.argv[2])
    qs = sys.argv[3] if len(sys.argv) > 3 else ""
    extra = sys.argv[4] if len(sys.argv) > 4 else ""
    csv.field_size_limit(sys.maxsize)  # bodies may exceed the default
    with urllib.request.urlopen(f"{base}/v1/search?{qs}&size=1&snippets=0&facets=") as r:
        total = json.load(r)["total"]
    print(f"/v1/search total: {total}")
    ok = True
    for fmt in ("csv", "jsonl"):
        before, anon0 = rss_kb(pid), rss_kb(pid, "RssAnon")
        peak, anon = [before], [anon0]
        done = threading.Event()

        def sample():
            while not done.wait(0.05):
                peak[0] = max(peak[0], rss_kb(pid))
                anon[0] = max(anon[0], rss_kb(pid, "RssAnon"))

        t = threading.Thread(target=sample)
        t.start()
        start = time.monotonic()
        with urllib.request.urlopen(f"{base}/v1/export?{qs}&{extra}&format={fmt}") as r:
            header_total = int(r.headers["X-Total-Count"])
            text = io.TextIOWrapper(r, encoding="utf-8", newline="")
            if fmt == "csv":
                rows = csv.reader(text)
                head = next(rows)
                n = sum(1 for _ in rows)
            else:
                n = 0
                for line in text:
                    json.loads(line)
                    n += 1
        secs = time.monotonic() - start
        done.set()
        t.join()
        after = rss_kb(pid)
        peak[0] = max(peak[0], after)
        good = n == header_total == total
        ok &= good
        print(f"{fmt}: {n} rows (X-Total-Count {header_total}, search total {total}: {'equal' if good else 'MISMATCH'}), "
              f"{secs:.2f} s, {n / secs:,.0f} articles/s; server RSS (VmRSS) before {before / 1024:.0f} MB, "
              f"peak {peak[0] / 1024:.0f} MB (+{(peak[0] - before) / 1024:.0f} MB), after {after / 1024:.0f} MB; "
              f"of which anonymous (heap) {anon0 / 1024:.0f} MB, peak +{(anon[0] - anon0) / 1024:.0f} MB "
              f"(the rest is index files mapped into memory)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
