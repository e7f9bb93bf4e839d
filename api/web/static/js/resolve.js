// Forgiving filters, the page's side: the API reads a filter value given
// in another spelling, an alias, a nickname or a surname as a canonical
// value and says so in filters_resolved ({given, value, how}); a value
// it cannot read gets suggestions instead. The search and entity pages
// show the canonical value, say how the given one was read and offer the
// suggestions as links.

// HOW_TEXT says how a given value was read, by Resolution.how; exact (the
// canonical value in another case) needs no word.
export const HOW_TEXT = {
  spelling: 'another spelling',
  alias: 'an alias',
  given_name: 'another given name',
  surname: 'the surname',
};

// resolutionOf returns the API's reading of value v of filter f in res,
// or null when the answer has none (an older server, or no such filter).
export function resolutionOf(res, f, v) {
  const list = (res && res.filters_resolved && res.filters_resolved[f]) || [];
  const t = v.trim();
  return list.find((r) => r.given === v || r.given.trim() === t) || null;
}

// isRead reports whether r read a value as another canonical value, one
// the reader should be told about.
export function isRead(r) {
  return Boolean(r) && r.how !== 'exact' && r.how !== 'none' && r.value !== '';
}

// isUnknown reports whether r found no value at all.
export function isUnknown(r) {
  return Boolean(r) && (r.how === 'none' || r.value === '');
}

// suggestionsOf returns the suggestions for filter f in res, each value
// once.
export function suggestionsOf(res, f) {
  const seen = new Set();
  return ((res && res.suggestions && res.suggestions[f]) || []).filter((b) => {
    const k = b.value.toLowerCase();
    return !seen.has(k) && seen.add(k);
  });
}
