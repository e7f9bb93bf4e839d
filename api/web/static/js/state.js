// The search page's state lives in the URL, in the API's own parameter
// names (/?q=putin&person=Xi+Jinping&from=2019-01-01&page=2), so a search
// can be shared and reloaded and the query string goes to /v1/search as is.

// FILTERS are the repeatable filter parameters, in panel order.
export const FILTERS = ['leader', 'person', 'outlet', 'cited', 'place'];

// SCALARS are the single-valued parameters the page keeps in the URL.
export const SCALARS = ['q', 'from', 'to', 'sort', 'mode', 'size', 'page', 'cursor', 'interval', 'facet_size'];

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
  const st = { filters: {} };
  for (const f of FILTERS) {
    const seen = new Set();
    st.filters[f] = p.getAll(f).filter((v) => v.trim() !== '' && !seen.has(v) && seen.add(v));
  }
  for (const k of SCALARS) {
    const v = p.get(k);
    if (v !== null && v !== '') st[k] = v;
  }
  return st;
}

// toParams is the inverse of readState, in a stable order.
export function toParams(st) {
  const p = new URLSearchParams();
  if (st.q) p.set('q', st.q);
  for (const f of FILTERS) for (const v of st.filters[f] || []) p.append(f, v);
  for (const k of SCALARS) if (k !== 'q' && st[k]) p.set(k, st[k]);
  return p;
}

// searchURL is the page URL of st.
export function searchURL(st) {
  const qs = toParams(st).toString();
  return '/' + (qs ? '?' + qs : '');
}

// copyState returns a deep copy of st.
export function copyState(st) {
  const n = { ...st, filters: {} };
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
