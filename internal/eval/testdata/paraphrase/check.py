#!/usr/bin/env python3
"""check.py QUERIES.jsonl ARTICLES.jsonl: lists, per query, the words that break rule 2 of CONVENTIONS.md
(they occur in the target and in at most 2 articles). ARTICLES.jsonl holds {"id","title","body"} per line,
with ids wikinews-YYYY-NNN (file year, 0-based CSV row) as internal/eval loads them."""
import json,re,sys,collections
docs={}
for l in open(sys.argv[2]):
    d=json.loads(l); docs[d['id']]=(d['title']+' '+d['body']).lower()
tok=lambda s:set(re.findall(r"[a-z0-9]+",s))
dtoks={k:tok(v) for k,v in docs.items()}
df=collections.Counter(w for s in dtoks.values() for w in s)
def forms(w):
    f={w}
    for suf in ('s','es','ed','ing','d'):
        f.add(w+suf)
        if w.endswith(suf): f.add(w[:-len(suf)])
    return f
bad=0
for l in open(sys.argv[1]):
    if not l.strip(): continue
    q=json.loads(l); t=q['target']
    hits=[w for w in tok(q['query']) if any(f in dtoks[t] and df[f]<=2 for f in forms(w))]
    if hits: bad+=1; print(q['qid'],t,'RULE2:',hits)
print('queries with rule-2 words:',bad)
