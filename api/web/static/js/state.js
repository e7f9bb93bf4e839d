// The search page's state lives in the URL, in the API's own parameter
// names (/?q=putin&person=Xi+Jinping&from=2019-01-01&page=2), so a search
// can be shared and reloaded and the query string goes to /v1/search as is.

// FILTERS are the repeatable filter parameters, in panel order.
export const FILTERS = ['leader', 'person', 'outlet', 'cited', 'place'];

// SCALARS are the single-valued parameters the page keeps in the URL:
// op joins the words of the query (and, the default, is left out), k
// bounds the semantic neighbours of a hybrid list and count=related makes
// facets and the chart count related hits too.
export const SCALARS = ['q', 'op', 'from', 'to', 'sort', 'mode', 'size', 'page', 'cursor', 'interval', 'facet_size', 'k', 'count', 'chart', 'split'];

// PAGE_ONLY are the parameters of the page's timeline that /v1/search does
// not take (it refuses unknown parameters): compare holds the queries
// drawn beside q (repeated), chart=share draws shares instead of counts
// and split names the facet the timeline splits q by.
export const PAGE_ONLY = ['compare', 'chart', 'split'];

// MAX_COMPARE is how many queries may be drawn beside q: four in all.
export const MAX_COMPARE = 3;

// SPLITS are the facets the timeline splits a query by, as /v1/timeline
// names them.
export const SPLITS = ['outlet', 'person', 'leader', 'cited', 'place'];

// opParam is the parameter that joins the values of filter f: person_op.
export function opParam(f) {
  return f + '_op';
}

// FACET_OF maps a filter parameter to its facet in the response.
export const FACET_OF = { leader: 'leaders', person: 'people', outlet: 'outlets', cited: 'cited', place: 'places' };

// LABEL names each filter for people.
export const LABEL = { leader: 'Leaders', person: 'People', outlet: 'Outlets', cited: 'Cited outlets', place: 'Places' };

// SINGULAR names one value of each filter.
export const SINGULAR = { leader: 'leader', person: 'person', outlet: 'outlet', cited: 'cited outlet', place: 'place' };

// readState parses a query string into a state object; unknown parameters
// are dropped (the API would refuse them).
export function readState(search) {
  const p = new URLSearchParams(search);
  const st = { filters: {}, ops: {} };
  for (const f of FILTERS) {
    const seen = new Set();
    st.filters[f] = p.getAll(f).filter((v) => v.trim() !== '' && !seen.has(v) && seen.add(v));
    // or is the API's default: only and is kept.
    if (p.get(opParam(f)) === 'and') st.ops[f] = 'and';
  }
  for (const k of SCALARS) {
    const v = p.get(k);
    if (v !== null && v !== '') st[k] = v;
  }
  // and is the default; other values go to the API, which names them.
  if (st.op === 'and') delete st.op;
  st.compare = p.getAll('compare').map((v) => v.trim()).filter((v) => v !== '').slice(0, MAX_COMPARE);
  if (st.chart !== 'share') delete st.chart;
  if (!SPLITS.includes(st.split)) delete st.split;
  return st;
}

// toParams is the inverse of readState, in a stable order.
export function toParams(st) {
  const p = new URLSearchParams();
  if (st.q) p.set('q', st.q);
  for (const c of st.compare || []) p.append('compare', c);
  for (const f of FILTERS) {
    const vals = st.filters[f] || [];
    for (const v of vals) p.append(f, v);
    // An operator means something only between two values or more.
    if (vals.length > 1 && st.ops && st.ops[f] === 'and') p.set(opParam(f), 'and');
  }
  for (const k of SCALARS) if (k !== 'q' && st[k]) p.set(k, st[k]);
  return p;
}

// searchParams are the parameters of /v1/search for st: those of the
// page but its timeline's.
export function searchParams(st) {
  const p = toParams(st);
  for (const k of PAGE_ONLY) p.delete(k);
  return p;
}

// setParams are the parameters that define the match set of st (query,
// filters, dates and how they combine): all that /v1/timeline,
// /v1/facets/{name} and /v1/terms share with /v1/search. q is left out
// when empty (every article under the filters).
export function setParams(st) {
  const p = new URLSearchParams();
  if (st.q) p.set('q', st.q);
  if (st.op) p.set('op', st.op);
  for (const f of FILTERS) {
    const vals = st.filters[f] || [];
    for (const v of vals) p.append(f, v);
    if (vals.length > 1 && st.ops && st.ops[f] === 'and') p.set(opParam(f), 'and');
  }
  if (st.from) p.set('from', st.from);
  if (st.to) p.set('to', st.to);
  return p;
}

// searchURL is the page URL of st.
export function searchURL(st) {
  const qs = toParams(st).toString();
  return '/' + (qs ? '?' + qs : '');
}

// copyState returns a deep copy of st.
export function copyState(st) {
  const n = { ...st, filters: {}, ops: { ...(st.ops || {}) }, compare: [...(st.compare || [])] };
  for (const f of FILTERS) n.filters[f] = [...(st.filters[f] || [])];
  return n;
}

// changed returns a copy of st modified by fn, back on the first page: a
// new query or filter makes the old page number meaningless.
export function changed(st, fn) {
  const n = copyState(st);
  delete n.page;
  delete n.cursor;
  fn(n);
  return n;
}

// hasFilter reports whether value is selected for filter f
// (case-insensitively, as the API matches).
export function hasFilter(st, f, value) {
  const v = value.toLowerCase();
  return (st.filters[f] || []).some((x) => x.toLowerCase() === v);
}

// toggleFilter adds or removes value of filter f.
export function toggleFilter(st, f, value) {
  return changed(st, (n) => {
    const v = value.toLowerCase();
    if (hasFilter(n, f, value)) n.filters[f] = n.filters[f].filter((x) => x.toLowerCase() !== v);
    else n.filters[f].push(value);
    if (n.filters[f].length < 2) delete n.ops[f];
  });
}

// setFilterOp sets how the values of filter f combine: 'and' (articles
// carrying all of them) or 'or' (any of them, the default).
export function setFilterOp(st, f, op) {
  return changed(st, (n) => {
    if (op === 'and') n.ops[f] = 'and'; else delete n.ops[f];
  });
}

// isEmpty reports whether st asks for nothing in particular (browse all).
export function isEmpty(st) {
  return !st.q && !st.from && !st.to && FILTERS.every((f) => st.filters[f].length === 0);
}

// entityPath is the entity page of a filter value: /person/Xi%20Jinping.
export function entityPath(f, name) {
  return '/' + f + '/' + encodeURIComponent(name);
}

// articlePath is the article view of id.
export function articlePath(id) {
  return '/article/' + encodeURIComponent(id);
}
