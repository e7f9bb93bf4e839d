// The research tools of the search page: queries compared on the
// timeline, counts or shares, a split by outlet (or another facet), CSV
// downloads of the timeline, the facets and the articles, and the
// significant terms of the results. Their state lives in the URL with the
// rest (state.js: compare, chart, split); the numbers come from
// /v1/timeline, /v1/facets/{name}, /v1/export and /v1/terms, which count
// the same match set as /v1/search.

import { h, clear, fmt, plural } from './dom.js';
import { getJSON, isAbort } from './api.js';
import { MAX_COMPARE, SPLITS, SINGULAR, FACET_OF, setParams, copyState, changed, searchURL } from './state.js';
import { seriesChart, inclusiveTo } from './chart.js';

// usesTimeline reports whether st draws its chart from /v1/timeline: to
// compare queries, split one or show shares. The plain count chart is
// the histogram /v1/search answers with (it can stack related hits).
export function usesTimeline(st) {
  return st.compare.length > 0 || Boolean(st.split) || st.chart === 'share';
}

// queriesOf lists the queries the timeline draws: q, then the compared.
function queriesOf(st) {
  return [st.q || '', ...st.compare];
}

// ALL_LABEL names the series of an empty query.
const ALL_LABEL = 'all articles';

// timelineParams are the /v1/timeline parameters of st at interval.
export function timelineParams(st, interval) {
  const p = setParams(st);
  p.delete('q');
  const qs = st.split ? [st.q || ''] : queriesOf(st);
  for (const q of qs) p.append('q', q);
  // An empty query is labelled; the others are their own label.
  if (qs.some((q) => q === '')) for (const q of qs) p.append('label', q === '' ? ALL_LABEL : '');
  if (st.split) {
    p.set('split', st.split);
    p.set('split_size', '5');
  }
  p.set('interval', interval || 'auto');
  return p;
}

// href joins path and params.
function href(path, p) {
  const qs = p.toString();
  return qs ? path + '?' + qs : path;
}

// timelineCSV is the download URL of the timeline of st.
export function timelineCSV(st, interval) {
  const p = timelineParams(st, interval);
  p.set('format', 'csv');
  return href('/v1/timeline', p);
}

// facetCSV is the download URL of every value of the facet of filter f
// in the match set of st.
export function facetCSV(st, f) {
  const p = setParams(st);
  p.set('size', '10000');
  p.set('format', 'csv');
  return href('/v1/facets/' + FACET_OF[f], p);
}

// articlesCSV is the download URL of every article of the match set of
// st, in the order of its sort when it sorts by date.
export function articlesCSV(st) {
  const p = setParams(st);
  if (st.sort === 'date' || st.sort === 'date_asc') p.set('sort', st.sort);
  p.set('format', 'csv');
  return href('/v1/export', p);
}

// download is a link that saves url as file; label names it for screen
// readers when text alone is too short.
export function download(url, file, text, cls, label) {
  return h('a', { href: url, download: file, class: ['download', cls], type: 'text/csv', 'aria-label': label }, text);
}

// compareInputs is the part of the search form that holds the queries
// compared with q on the timeline: one box each, with a remove button,
// and "+ compare" to add one. go(st) navigates; values() reads the boxes.
export function compareInputs(go) {
  const rows = h('div', { class: 'compare-rows' });
  const add = h('button', { type: 'button', class: 'link add-compare', 'aria-controls': 'compare-box' }, '+ compare');
  const el = h('div', { class: 'compare', id: 'compare-box' }, rows, add);
  let st = null;
  let seq = 0;

  function row(value) {
    const n = ++seq;
    const id = 'cq-' + n;
    const input = h('input', {
      id, name: 'compare', type: 'search', class: 'compare-q', autocomplete: 'off', spellcheck: 'false',
      value, placeholder: 'another query to draw on the timeline',
    });
    const remove = h('button', { type: 'button', class: 'link remove-compare', 'aria-label': 'Remove this comparison' }, '×');
    const r = h('div', { class: 'compare-row' }, h('label', { for: id }, 'Compare with'), input, remove);
    remove.addEventListener('click', () => {
      const left = values(r);
      if (st && left.join('\u0000') !== st.compare.join('\u0000')) {
        go(changed(st, (x) => { x.compare = left; }));
        return;
      }
      r.remove();
      sync();
    });
    return r;
  }

  // values lists the queries of the boxes but the one in row skip.
  function values(skip) {
    return [...rows.children].filter((r) => r !== skip)
      .map((r) => r.querySelector('input').value.trim()).filter((v) => v !== '').slice(0, MAX_COMPARE);
  }

  function sync() {
    add.hidden = rows.children.length >= MAX_COMPARE;
  }

  add.addEventListener('click', () => {
    if (rows.children.length >= MAX_COMPARE) return;
    const r = row('');
    rows.appendChild(r);
    sync();
    r.querySelector('input').focus();
  });

  return {
    el,
    values: () => values(null),
    // set shows the compared queries of next, keeping a box being typed in.
    set(next) {
      st = next;
      if (el.contains(document.activeElement) && values(null).join('\u0000') === next.compare.join('\u0000')) return;
      clear(rows).append(...next.compare.map((v) => row(v)));
      sync();
    },
  };
}

// INTERVALS are the choices of the chart's period; '' lets the page pick
// one that suits the dates.
const INTERVALS = [['', 'auto'], ['day', 'day'], ['week', 'week'], ['month', 'month'], ['year', 'year']];

// timelineControls are the chart's controls: counts or shares, the split
// and the timeline's download link.
export function timelineControls(st, go, interval) {
  const measure = st.chart === 'share' ? 'share' : 'count';
  const choices = [['count', 'Count'], ['share', 'Share']].map(([v, l]) => {
    const id = 'measure-' + v;
    const input = h('input', { type: 'radio', name: 'measure', value: v, id, checked: measure === v, dataset: { fk: 'm:' + v } });
    input.addEventListener('change', () => go(copyWith(st, (n) => { if (v === 'share') n.chart = 'share'; else delete n.chart; })));
    return h('label', { for: id, class: 'mode' }, input, ' ', l);
  });
  const split = h('select', { id: 'split', name: 'split', dataset: { fk: 'split' } },
    h('option', { value: '' }, 'none'),
    SPLITS.map((f) => h('option', { value: f, selected: st.split === f }, SINGULAR[f])));
  split.addEventListener('change', () => go(copyWith(st, (n) => {
    // /v1/timeline splits a single query: a split ends a comparison.
    if (split.value) {
      n.split = split.value;
      n.compare = [];
    } else delete n.split;
  })));
  const by = h('select', { id: 'interval', name: 'interval', dataset: { fk: 'interval' } },
    INTERVALS.map(([v, l]) => h('option', { value: v, selected: (st.interval || '') === v }, l)));
  by.addEventListener('change', () => go(copyWith(st, (n) => { if (by.value) n.interval = by.value; else delete n.interval; })));
  return h('div', { class: 'timeline-controls' },
    h('fieldset', { class: 'modes measure' }, h('legend', null, 'Show'), choices),
    h('div', { class: 'field' }, h('label', { for: 'split' }, 'Split by'), split),
    h('div', { class: 'field' }, h('label', { for: 'interval' }, 'By'), by),
    download(timelineCSV(st, interval), 'timeline.csv', 'Download CSV', 'download-timeline', 'Download the timeline as CSV'));
}

// copyWith returns a copy of st changed by fn, on the same page of
// results: the chart's settings do not change the list.
function copyWith(st, fn) {
  const n = copyState(st);
  fn(n);
  return n;
}

// axisLabel says what the values of the timeline of st are.
export function axisLabel(st) {
  if (st.chart !== 'share') return 'articles';
  if (st.split) return `share of each ${SINGULAR[st.split]}'s articles under these filters`;
  return 'share of all articles under these filters';
}

// loadTimeline fetches the timeline of st and draws it into box.
export async function loadTimeline(st, box, signal) {
  const interval = st.interval || 'auto';
  const tl = await getJSON('/v1/timeline', timelineParams(st, interval), signal);
  const measure = st.chart === 'share' ? 'share' : 'count';
  const narrow = (b) => changed(st, (n) => {
    n.from = b.from;
    n.to = inclusiveTo(b.to);
    delete n.interval;
  });
  const split = st.split ? `; one series for each of the top ${SINGULAR[st.split]}s of the query` : '';
  clear(box).appendChild(seriesChart(tl, {
    measure,
    axisLabel: axisLabel(st),
    hrefFor: (b) => searchURL(narrow(b)),
    caption: `By ${tl.interval}${split}. ${measure === 'share' ? `Share: the articles of a series over all articles${st.split ? ` of its ${SINGULAR[st.split]}` : ''} of the period under the same filters (without the query); no line where there are none. ` : ''}Select a period to narrow to it.`,
  }));
  return tl;
}

// termQuery returns q with term added as one more required part: a
// phrase in quotes when it is more than a word, and q in parentheses
// when its parts would not all be required (Any word, or an OR, which
// binds looser than AND).
export function termQuery(q, op, term) {
  const t = /^[\p{L}\p{N}]+$/u.test(term) ? term : '"' + term.replace(/"/g, '') + '"';
  const cur = (q || '').trim();
  if (!cur) return t;
  if (op === 'or' || /\bOR\b/.test(cur)) return `(${cur}) AND ${t}`;
  return cur + ' ' + t;
}

// inQuery reports whether term already appears in q as words.
function inQuery(q, term) {
  const words = (s) => s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const qw = ' ' + words(q).join(' ') + ' ';
  return qw.includes(' ' + words(term).join(' ') + ' ');
}

// loadTerms fills box with the significant terms of the match set of st,
// each a button that calls add(term). The page keeps the terms while only
// the page of results changes, so add reads the state at click time.
export async function loadTerms(st, box, add, signal) {
  const head = h('h3', { id: 'terms-h' }, 'Words that set these results apart');
  if (!st.q) {
    box.hidden = true;
    clear(box);
    return;
  }
  box.hidden = false;
  clear(box).append(head, h('p', { class: 'muted' }, 'Looking for significant terms…'));
  let res;
  try {
    res = await getJSON('/v1/terms', setParams(st), signal);
  } catch (err) {
    if (isAbort(err)) throw err;
    clear(box).append(head, h('p', { class: 'muted terms-error' }, 'Significant terms are not available: ' + err.message));
    return;
  }
  const terms = (res.terms || []).filter((t) => !inQuery(st.q, t.term));
  clear(box).appendChild(head);
  if (terms.length === 0) {
    box.appendChild(h('p', { class: 'muted' }, 'No term stands out.'));
    return;
  }
  box.append(
    h('ul', { class: 'terms-list', role: 'list' }, terms.map((t) => h('li', null, h('button', {
      type: 'button', class: 'term', dataset: { term: t.term, count: t.count, background: t.background },
      title: `in ${plural(t.count, 'matching article')}, ${fmt(t.background)} under these filters; score ${t.score.toFixed(2)}`,
      'aria-label': `Add ${t.term} to the query (${plural(t.count, 'article')})`,
      on: { click: () => add(t.term) },
    }, t.term, h('span', { class: 'count' }, fmt(t.count)))))),
    h('p', { class: 'muted' }, `Compared with every article under the same filters${res.sampled && res.sampled < res.total ? `; read from the ${plural(res.sampled, 'best match', 'best matches')}` : ''}. Select a term to add it to the query.`));
}
