// The search view: query form, facet panels, volume chart, results with
// highlighted snippets and entity chips, similar articles and pagination.
// Its whole state is the URL (see state.js).

import { h, clear, markedText, safeHref, formatDate, fmt, plural, notice } from './dom.js';
import { getJSON, isAbort } from './api.js';
import {
  FILTERS, FACET_OF, LABEL, SINGULAR, readState, searchParams, setParams, searchURL, changed, copyState,
  hasFilter, toggleFilter, setFilterOp, isEmpty, entityPath, articlePath,
} from './state.js';
import {
  usesTimeline, compareInputs, timelineControls, loadTimeline, loadTerms, termQuery, download, facetCSV, articlesCSV,
} from './research.js';
import { volumeChart, intervalFor, finer, inclusiveTo } from './chart.js';
import { HELP, HELP_NOTES } from './help.js';
import { HOW_TEXT, resolutionOf, isRead, isUnknown, suggestionsOf } from './resolve.js';
import { saveAlertBar } from './alerts.js';

const MODES = [
  ['lexical', 'Lexical', 'words and phrases, ranked by term statistics'],
  ['semantic', 'Semantic', 'meaning, by passage embeddings'],
  ['hybrid', 'Hybrid', 'both, fused'],
];

const SORTS = [
  ['relevance', 'Relevance'],
  ['date', 'Newest first'],
  ['date_asc', 'Oldest first'],
];

// OPS are the choices of the words toggle: how words side by side
// combine (op=and is the API's default and stays out of the URL).
const OPS = [
  ['and', 'op-all', 'All words', 'articles with every word; the others are listed as partial matches, not counted'],
  ['or', 'op-any', 'Any word', 'articles with at least one of the words'],
];

// Chips shown per hit before the "+N more" button.
const CHIP_LIMIT = 8;
const MAX_DEPTH = 10000;

const desktop = () => window.matchMedia('(min-width: 800px)').matches;

// searchView mounts the search page into main. nav(url) navigates inside
// the app; session.lastSearch remembers the URL for "back to results".
export function searchView(main, { nav, session }) {
  let ctrl = null;
  let seq = 0;
  let st = readState(location.search);
  const panelOpen = {};
  // The mode the server picks when the URL names none; the form leaves it
  // out of the URL unless the reader chose another.
  let defaultMode = null;
  // How the API read the filter values of the answer shown (see
  // canonicalize): read[f][canonical in lower case] = {given, how}, and
  // unknown[f] lists the values it found nothing for.
  let reading = { read: {}, unknown: {} };

  // Query form.
  const q = h('input', {
    id: 'q', name: 'q', type: 'search', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'e.g. putin AND "joint statement"', 'aria-describedby': 'q-help-summary',
  });
  const sort = h('select', { id: 'sort', name: 'sort' }, SORTS.map(([v, l]) => h('option', { value: v }, l)));
  const from = h('input', { id: 'from', name: 'from', type: 'date' });
  const to = h('input', { id: 'to', name: 'to', type: 'date' });
  const modeInputs = MODES.map(([v, l, d]) =>
    h('label', { class: 'mode', title: d }, h('input', { type: 'radio', name: 'mode', value: v }), ' ', l));
  const opInputs = OPS.map(([v, id, l, d]) =>
    h('label', { class: 'mode', for: id, title: d }, h('input', { type: 'radio', name: 'op', value: v, id }), ' ', l));
  // Queries compared with q on the timeline (research.js).
  const compare = compareInputs((next) => go(next));
  const form = h('form', { class: 'search', role: 'search', 'aria-label': 'Search articles' },
    h('div', { class: 'qrow' },
      h('label', { for: 'q', class: 'visually-hidden' }, 'Search query'),
      q,
      h('button', { type: 'submit', class: 'primary' }, 'Search')),
    compare.el,
    h('div', { class: 'options' },
      h('fieldset', { class: 'modes words' }, h('legend', null, 'Match'), opInputs),
      h('fieldset', { class: 'modes' }, h('legend', null, 'Mode'), modeInputs),
      h('div', { class: 'field' }, h('label', { for: 'sort' }, 'Sort'), sort),
      h('div', { class: 'field dates' },
        h('label', { for: 'from' }, 'From'), from,
        h('label', { for: 'to' }, 'To'), to,
        h('button', { type: 'button', class: 'link', on: { click: () => go(changed(st, (n) => { delete n.from; delete n.to; delete n.interval; })) } }, 'Any date'))),
    h('details', { class: 'help' },
      h('summary', { id: 'q-help-summary' }, 'Query syntax'),
      h('dl', null, HELP.map(([ex, what, extra]) => [
        h('dt', null, h('code', null, ex), extra === 'op=or' ? h('span', { class: 'help-op' }, ' with Any word') : null),
        h('dd', null, what)])),
      HELP_NOTES.map((n) => h('p', { class: 'muted' }, n))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go(readForm());
  });
  for (const input of form.querySelectorAll('input[name=mode], input[name=op]')) input.addEventListener('change', () => go(readForm()));
  sort.addEventListener('change', () => go(readForm()));
  for (const d of [from, to]) {
    d.addEventListener('change', () => {
      if (d.value === '' || /^\d{4}-\d{2}-\d{2}$/.test(d.value)) go(readForm());
    });
  }

  // The filter box: a name typed here goes into the URL as typed, and the
  // API's reading of it (filters_resolved) drives the chip, as for a
  // value typed into the URL. /v1/entities offers names as one types.
  const afKind = h('select', { id: 'af-kind', name: 'kind', 'aria-label': 'Filter by' },
    FILTERS.map((f) => h('option', { value: f, selected: f === 'person' }, SINGULAR[f])));
  const afList = h('datalist', { id: 'af-list' });
  const afValue = h('input', {
    id: 'af-value', name: 'value', type: 'text', list: 'af-list', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'a name, e.g. Xi Jinping',
  });
  const addFilter = h('form', { class: 'add-filter', 'aria-label': 'Add a filter' },
    h('label', { for: 'af-value' }, 'Add a filter'),
    h('div', { class: 'af-row' }, afKind, afValue, h('button', { type: 'submit' }, 'Add')),
    afList);
  addFilter.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = afKind.value;
    const v = afValue.value.trim();
    if (!v || !FILTERS.includes(f)) return;
    if (acCtrl) acCtrl.abort();
    afValue.value = '';
    clear(afList);
    if (!hasFilter(st, f, v)) go(changed(st, (n) => { n.filters[f].push(v); }));
  });
  let acCtrl = null;
  async function offerNames() {
    if (acCtrl) acCtrl.abort();
    const prefix = afValue.value.trim();
    // The API refuses prefixes over 100 bytes; the box then offers none.
    if (prefix === '' || new TextEncoder().encode(prefix).length > 100) {
      clear(afList);
      return;
    }
    acCtrl = new AbortController();
    const signal = acCtrl.signal;
    try {
      const res = await getJSON('/v1/entities', new URLSearchParams({ type: afKind.value, prefix, size: '10' }), signal);
      if (signal.aborted) return;
      clear(afList).append(...(res.entities || []).map((e) => h('option', { value: e.name, label: plural(e.count, 'article') })));
    } catch (err) {
      // Names are a help: the box works without them.
      if (!isAbort(err)) clear(afList);
    }
  }
  afValue.addEventListener('input', offerNames);
  afKind.addEventListener('change', offerNames);

  const panels = h('div', { class: 'facet-panels' });
  const facets = h('aside', { class: 'facets', 'aria-labelledby': 'facets-h' }, h('h2', { id: 'facets-h' }, 'Refine'), addFilter, panels);
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const active = h('div', { class: 'active' });
  const unknownBox = h('div', { class: 'unknown-filters' });
  const chart = h('section', { class: 'timeline', 'aria-labelledby': 'timeline-h' });
  const hits = h('ol', { class: 'hits' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Result pages' });
  const downloads = h('p', { class: 'downloads' });
  const termsBox = h('section', { class: 'terms', 'aria-labelledby': 'terms-h', hidden: true });
  // The box the timeline's chart is drawn in (renderChart makes it).
  let chartBox = null;
  const resultsH = h('h2', { id: 'results-h', class: 'visually-hidden', tabindex: '-1' }, 'Results');
  const results = h('section', { class: 'results', 'aria-labelledby': 'results-h' }, resultsH, status, downloads, active, unknownBox, chart, hits, pager, termsBox);
  clear(main).append(form, h('div', { class: 'layout' }, facets, results));
  // "Save as alert" saves the search shown (alerts.js).
  form.after(saveAlertBar(() => st));

  function readForm() {
    const mode = form.querySelector('input[name=mode]:checked');
    const op = form.querySelector('input[name=op]:checked');
    return changed(st, (n) => {
      const qv = q.value.trim();
      if (qv) n.q = qv; else delete n.q;
      if (op && op.value !== 'and') n.op = op.value; else delete n.op;
      if (mode && (st.mode || mode.value !== defaultMode)) n.mode = mode.value;
      if (sort.value && sort.value !== 'relevance') n.sort = sort.value; else delete n.sort;
      for (const [k, el] of [['from', from], ['to', to]]) {
        if (el.value) n[k] = el.value; else delete n[k];
      }
      if (n.from !== st.from || n.to !== st.to) delete n.interval;
      n.compare = compare.values();
      // /v1/timeline splits a single query: a comparison ends a split.
      if (n.compare.length) delete n.split;
    });
  }

  function go(next) {
    nav(searchURL(next));
  }

  function syncForm(res) {
    if (document.activeElement !== q) q.value = st.q || '';
    sort.value = st.sort || 'relevance';
    from.value = st.from || '';
    to.value = st.to || '';
    const mode = st.mode || (res && res.mode) || 'lexical';
    for (const r of form.querySelectorAll('input[name=mode]')) r.checked = r.value === mode;
    const op = st.op || 'and';
    for (const r of form.querySelectorAll('input[name=op]')) r.checked = r.value === op;
    compare.set(st);
  }

  async function update() {
    st = readState(location.search);
    session.lastSearch = searchURL(st);
    document.title = (st.q ? st.q + ' · ' : '') + 'newsdex search';
    syncForm(null);
    if (ctrl) ctrl.abort();
    ctrl = new AbortController();
    const my = ++seq;
    const signal = ctrl.signal;
    results.setAttribute('aria-busy', 'true');
    chart.setAttribute('aria-busy', 'true');
    termsBox.setAttribute('aria-busy', 'true');
    const params = searchParams(st);
    let interval = st.interval || intervalFor(st.from, st.to);
    params.set('interval', interval);
    try {
      const res = await getJSON('/v1/search', params, signal);
      if (my !== seq) return;
      if (!st.mode && res.mode) defaultMode = res.mode;
      reading = canonicalize(res);
      const focusKey = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.fk : null;
      let buckets = (res.facets && res.facets.published) || [];
      render(res, buckets, interval);
      syncForm(res);
      restoreFocus(focusKey);
      loadResearch(my, signal);
      // A range that fits in one or two bars says little: ask for a finer
      // histogram, unless the URL fixed the interval.
      while (!st.interval && !usesTimeline(st) && buckets.length <= 2 && res.total > 3 && finer(interval)) {
        interval = finer(interval);
        const p = searchParams(st);
        p.delete('page');
        p.delete('cursor');
        p.set('size', '1');
        p.set('snippets', '0');
        p.set('facets', 'published');
        p.set('interval', interval);
        const more = await getJSON('/v1/search', p, signal);
        if (my !== seq) return;
        buckets = (more.facets && more.facets.published) || [];
        renderChart(buckets, interval);
      }
    } catch (err) {
      if (isAbort(err)) return;
      if (my !== seq) return;
      reading = { read: {}, unknown: {} };
      renderError(err);
      chart.removeAttribute('aria-busy');
      termsBox.removeAttribute('aria-busy');
      termsBox.hidden = true;
      termsKey = null;
    } finally {
      if (my === seq) results.removeAttribute('aria-busy');
    }
  }

  // loadResearch draws what the research routes answer once the search
  // has: the timeline of compared, split or shared queries and the
  // significant terms. Each box is aria-busy until its answer is drawn.
  function loadResearch(my, signal) {
    const done = (el) => () => {
      if (my === seq) el.removeAttribute('aria-busy');
    };
    const failed = (box) => (err) => {
      if (isAbort(err) || my !== seq || !box) return;
      clear(box).appendChild(notice('The timeline could not be drawn: ' + err.message, 'error'));
    };
    if (usesTimeline(st) && chartBox) loadTimeline(st, chartBox, signal).catch(failed(chartBox)).finally(done(chart));
    else done(chart)();
    // Another page of the same results keeps its terms.
    const key = setParams(st).toString();
    if (key === termsKey) {
      done(termsBox)();
      return;
    }
    termsKey = key;
    loadTerms(st, termsBox, addTerm, signal).catch(() => { termsKey = null; }).finally(done(termsBox));
  }
  // addTerm adds a significant term to the query and searches.
  function addTerm(term) {
    go(changed(st, (n) => { n.q = termQuery(st.q, st.op, term); }));
  }
  // termsKey names the match set whose terms termsBox shows.
  let termsKey = null;

  // renderDownloads links the CSV of every article of the match set.
  function renderDownloads(res) {
    clear(downloads);
    if (!(res.total > 0)) return;
    downloads.append('Download ', download(articlesCSV(st), 'articles.csv', `all ${plural(res.total, 'matching article')} (CSV)`, 'download-articles'));
  }

  // canonicalize rewrites st and the URL to the canonical values the API
  // read the filters as, so that chips, facet counts and later clicks use
  // them, and returns how each value was read. The URL is replaced, not
  // pushed, and no search runs again: the answer is the same for both
  // spellings. The history entry keeps the readings, so that going back
  // to it (a canonical URL, read as exact) still says how they were read.
  function canonicalize(res) {
    const carried = (history.state && history.state.read) || {};
    const read = {};
    const unknown = {};
    const next = copyState(st);
    let rewrite = false;
    for (const f of FILTERS) {
      read[f] = {};
      unknown[f] = [];
      const vals = [];
      for (const v of st.filters[f]) {
        const r = resolutionOf(res, f, v);
        let c = v;
        if (isUnknown(r)) unknown[f].push(v);
        else if (r && r.value) c = r.value;
        const key = c.toLowerCase();
        if (isRead(r)) read[f][key] = { given: v, how: r.how };
        else if (carried[f] && carried[f][key]) read[f][key] = carried[f][key];
        if (c !== v) rewrite = true;
        // Two spellings of one value are one filter.
        if (!vals.some((x) => x.toLowerCase() === key)) vals.push(c);
      }
      next.filters[f] = vals;
      if (vals.length < 2) delete next.ops[f];
    }
    if (rewrite) {
      st = next;
      session.lastSearch = searchURL(st);
      history.replaceState({ read }, '', session.lastSearch);
    }
    return { read, unknown };
  }

  // restoreFocus puts keyboard focus back on the control that was used,
  // which the re-render replaced: the same facet value, else the filter
  // it added, else the results heading.
  function restoreFocus(key) {
    if (!key) return;
    const keys = [key];
    if (key.startsWith('c:')) keys.unshift('a:' + key.slice(2));
    if (key.startsWith('f:')) keys.push('a:' + key.slice(2));
    for (const k of keys) {
      const el = main.querySelector(`[data-fk="${CSS.escape(k)}"]`);
      if (el) {
        el.focus();
        return;
      }
    }
    resultsH.focus();
  }

  function renderError(err) {
    status.textContent = 'The search could not run.';
    clear(active);
    clear(chart);
    clear(hits).appendChild(h('li', { class: 'error-item' }, notice(err.message, 'error')));
    clear(pager);
    clear(downloads);
    renderActive();
    clear(unknownBox);
    clear(panels);
  }

  function render(res, buckets, interval) {
    renderStatus(res);
    renderDownloads(res);
    renderActive();
    renderUnknown(res);
    renderChart(buckets, interval);
    renderFacets(res);
    clear(hits);
    for (const hit of res.hits || []) hits.appendChild(renderHit(hit));
    if ((res.hits || []).length === 0) {
      if (listed(res) > 0) {
        // A page number past the end of the list (an old link).
        hits.appendChild(h('li', { class: 'empty' },
          h('p', null, 'This page is past the end of the results.'),
          h('p', null, h('a', { href: searchURL(changed(st, () => {})), 'data-nav': '' }, 'Go to the first page'), '.')));
      } else {
        hits.appendChild(h('li', { class: 'empty' },
          h('p', null, 'No articles match.'),
          isEmpty(st) ? null : h('p', null, 'Try fewer words, ', st.q && !st.op ? 'choose "Any word", ' : null, 'or ', h('a', { href: '/', 'data-nav': '' }, 'start over'), '.')));
      }
    }
    renderPager(res);
  }

  // listedRelated is how many related hits (partial matches and semantic
  // neighbours) the list holds: date sorts list only the match set unless
  // count=related asks for them too.
  function listedRelated(res) {
    const dated = st.sort === 'date' || st.sort === 'date_asc';
    return dated && st.count !== 'related' ? 0 : res.related || 0;
  }

  // listed is the length of the list that page and cursor walk.
  function listed(res) {
    return (res.total || 0) + listedRelated(res);
  }

  function renderStatus(res) {
    const n = res.hits ? res.hits.length : 0;
    const size = Number(st.size) || 10;
    const total = res.total || 0;
    const related = listedRelated(res);
    const verb = total === 1 ? 'matches' : 'match';
    const parts = [h('span', { class: 'match-count' },
      res.capped ? `at least ${plural(total, 'article')} ${verb} (capped)` : `${plural(total, 'article')} ${verb}`)];
    // Related hits are never part of the count: say so apart from it.
    if (related > 0) {
      parts.push(h('span', { class: 'related-count' },
        `${plural(related, 'related result')} listed with them, not counted`));
    }
    if (n > 0) {
      if (st.cursor) parts.push(`${fmt(n)} shown`);
      else {
        const first = ((Number(st.page) || 1) - 1) * size + 1;
        parts.push(`showing ${fmt(first)}–${fmt(first + n - 1)}`);
      }
    }
    if (res.mode) parts.push(res.mode);
    if (typeof res.took_ms === 'number') parts.push(`${res.took_ms.toFixed(1)} ms`);
    clear(status).append(...parts.flatMap((p, i) => (i ? [' · ', p] : [p])));
    status.dataset.total = String(total);
    status.dataset.related = String(related);
  }

  function renderActive() {
    clear(active);
    const chips = [];
    for (const f of FILTERS) {
      for (const v of st.filters[f]) {
        // A value read from another spelling shows both: "Kim Jong Un →
        // Kim Jong-un"; one the API found nothing for says so.
        const note = (reading.read[f] || {})[v.toLowerCase()];
        const missing = (reading.unknown[f] || []).includes(v);
        const dataset = { fk: `a:${f}:${v}`, filter: f, value: v };
        let label = v;
        let aria = `Remove ${SINGULAR[f]} filter ${v}`;
        let title = null;
        if (note) {
          Object.assign(dataset, { given: note.given, how: note.how });
          const how = HOW_TEXT[note.how] || note.how;
          label = [h('span', { class: 'given' }, note.given), h('span', { class: 'arrow', 'aria-hidden': 'true' }, ' → '), h('span', { class: 'canonical' }, v), h('span', { class: 'how' }, ` (${how})`)];
          aria += `, read from ${note.given} (${how})`;
          title = `"${note.given}" was read as ${v}: ${how}`;
        } else if (missing) {
          dataset.how = 'none';
          label = [v, h('span', { class: 'how' }, ' (not found)')];
          aria += ', not found';
        }
        chips.push(h('li', null, h('button', {
          type: 'button', class: ['filter', 'k-' + f, note ? 'read' : null, missing ? 'unknown' : null], dataset, title,
          'aria-label': aria,
          on: { click: () => go(toggleFilter(st, f, v)) },
        }, h('span', { class: 'kind' }, SINGULAR[f]), ' ', label, h('span', { class: 'x', 'aria-hidden': 'true' }, ' ×'))));
      }
    }
    if (st.from || st.to) {
      const label = st.from && st.to ? `${st.from} – ${st.to}` : st.from ? `from ${st.from}` : `until ${st.to}`;
      chips.push(h('li', null, h('button', {
        type: 'button', class: ['filter', 'k-date'], dataset: { fk: 'a:date' }, 'aria-label': `Remove date range ${label}`,
        on: { click: () => go(changed(st, (n) => { delete n.from; delete n.to; delete n.interval; })) },
      }, h('span', { class: 'kind' }, 'dates'), ' ', label, h('span', { class: 'x', 'aria-hidden': 'true' }, ' ×'))));
    }
    if (chips.length === 0) return;
    active.append(
      h('h3', { class: 'visually-hidden' }, 'Active filters'),
      h('ul', { class: 'filters' }, chips),
      h('button', {
        type: 'button', class: 'link clear-all', dataset: { fk: 'a:clear' },
        on: { click: () => go(changed(st, (n) => { for (const f of FILTERS) n.filters[f] = []; delete n.from; delete n.to; delete n.interval; })) },
      }, 'Clear all filters'));
  }

  // renderUnknown says which filter values name nothing the index knows,
  // with the API's closest values as links that replace them.
  function renderUnknown(res) {
    clear(unknownBox);
    for (const f of FILTERS) {
      const vals = reading.unknown[f] || [];
      if (vals.length === 0) continue;
      const gone = new Set(vals);
      const sugg = suggestionsOf(res, f);
      const replaced = (value) => searchURL(changed(st, (n) => {
        n.filters[f] = n.filters[f].filter((x) => !gone.has(x));
        if (!hasFilter(n, f, value)) n.filters[f].push(value);
        if (n.filters[f].length < 2) delete n.ops[f];
      }));
      const names = vals.map((v, i) => [i ? ' or ' : null, `"${v}"`]);
      unknownBox.appendChild(h('div', { class: ['notice', 'notice-info', 'unknown-filter'], role: 'status', dataset: { filter: f } },
        h('p', { class: 'unknown-what' }, `No ${SINGULAR[f]} called `, names, '.'),
        sugg.length === 0
          ? h('p', null, 'No close name either. ', h('a', { href: searchURL(changed(st, (n) => { n.filters[f] = n.filters[f].filter((x) => !gone.has(x)); })), 'data-nav': '' }, 'Remove the filter'), '.')
          : [h('p', null, 'Did you mean:'),
            h('ul', { class: 'suggestions' }, sugg.map((b) => h('li', null,
              h('a', { href: replaced(b.value), 'data-nav': '', dataset: { value: b.value, count: b.count } }, b.value),
              ' ', h('span', { class: 'count' }, plural(b.count, 'article')))))]));
    }
  }

  function renderChart(buckets, interval) {
    clear(chart).appendChild(h('h3', { id: 'timeline-h' }, 'Articles over time'));
    const timed = usesTimeline(st);
    chart.appendChild(timelineControls(st, go, timed ? st.interval : interval));
    chartBox = h('div', { class: 'chart-slot' });
    chart.appendChild(chartBox);
    if (timed) {
      // loadResearch draws it from /v1/timeline.
      chartBox.appendChild(h('p', { class: 'muted' }, 'Drawing the timeline…'));
      return;
    }
    chartBox.appendChild(volumeChart(buckets, {
      interval,
      caption: buckets.length > 0 ? `By ${interval}. Select a bar to narrow to that period.` : null,
      hrefFor: (b) => searchURL(changed(st, (n) => {
        n.from = b.from;
        n.to = inclusiveTo(b.to);
        delete n.interval;
      })),
    }));
  }

  function renderFacets(res) {
    const fs = res.facets || {};
    clear(panels);
    // Shown when the list holds related hits, and while it is on so that
    // it can be turned off.
    if (st.count || res.related > 0) {
      const box = h('input', {
        type: 'checkbox', id: 'count-related', checked: st.count === 'related', dataset: { fk: 'cr' },
        'aria-describedby': 'count-related-help',
      });
      box.addEventListener('change', () => go(changed(st, (n) => {
        if (box.checked) n.count = 'related'; else delete n.count;
      })));
      panels.appendChild(h('div', { class: 'count-related' },
        h('label', { for: 'count-related' }, box, ' Count related hits too'),
        h('p', { id: 'count-related-help', class: 'muted' }, st.count === 'related'
          ? 'Facets and the chart show partial matches and related articles apart, as "+N related".'
          : 'Facets and the chart count the matching articles only.')));
    }
    const facetSize = Number(st.facet_size) || 10;
    for (const f of FILTERS) {
      const name = FACET_OF[f];
      const buckets = fs[name] || [];
      const selected = st.filters[f];
      if (buckets.length === 0 && selected.length === 0) continue;
      const items = [];
      // Selected values first, even when they are not among the top buckets.
      const shown = new Set();
      for (const v of selected) {
        const b = buckets.find((x) => x.value.toLowerCase() === v.toLowerCase());
        items.push(facetItem(f, b || { value: v, count: null }, true));
        shown.add(v.toLowerCase());
      }
      for (const b of buckets) if (!shown.has(b.value.toLowerCase())) items.push(facetItem(f, b, false));
      const id = 'facet-' + f;
      const open = name in panelOpen ? panelOpen[name] : desktop();
      const det = h('details', { class: 'facet', id, open, dataset: { facet: name } },
        h('summary', null, LABEL[f], selected.length ? h('span', { class: 'badge', 'aria-label': `${selected.length} selected` }, String(selected.length)) : null),
        selected.length > 1 ? facetOp(f) : null,
        h('ul', { role: 'list' }, items),
        h('div', { class: 'facet-actions' },
          selected.length ? h('button', {
            type: 'button', class: 'link', dataset: { fk: 'fc:' + f },
            on: { click: () => go(changed(st, (n) => { n.filters[f] = []; delete n.ops[f]; })) },
          }, 'Clear ' + LABEL[f].toLowerCase()) : null,
          buckets.length >= facetSize && facetSize < 50 ? h('a', {
            href: searchURL(withFacetSize(50)), 'data-nav': '', class: 'more', dataset: { fk: 'fm:' + f },
          }, 'More') : null,
          facetSize > 10 ? h('a', { href: searchURL(withFacetSize(null)), 'data-nav': '', class: 'more', dataset: { fk: 'fl:' + f } }, 'Fewer') : null,
          download(facetCSV(st, f), name + '.csv', 'CSV', 'download-facet', `Download every ${SINGULAR[f]} of these results as CSV`)));
      det.addEventListener('toggle', () => { panelOpen[name] = det.open; });
      panels.appendChild(det);
    }
  }

  // facetOp is the control that chooses how the selected values of
  // filter f combine: any of them (the API's default) or all of them.
  function facetOp(f) {
    const cur = st.ops[f] === 'and' ? 'and' : 'or';
    const choices = [['or', 'any', 'any of these'], ['and', 'all', 'all of these']].map(([v, key, label]) => {
      const id = `op-${f}-${key}`;
      const input = h('input', { type: 'radio', name: `op-${f}`, value: v, id, checked: cur === v, dataset: { fk: `fo:${f}:${v}` } });
      input.addEventListener('change', () => go(setFilterOp(st, f, v)));
      return h('label', { for: id, class: 'mode' }, input, ' ', label);
    });
    return h('fieldset', { class: 'facet-op', id: 'facet-op-' + f },
      h('legend', null, `Articles with ${LABEL[f].toLowerCase()}:`), h('div', { class: 'choices' }, choices));
  }

  function withFacetSize(n) {
    const next = copyState(st);
    if (n) next.facet_size = String(n); else delete next.facet_size;
    return next;
  }

  function facetItem(f, b, selected) {
    return h('li', null, h('button', {
      type: 'button', class: 'facet-value', 'aria-pressed': selected ? 'true' : 'false',
      dataset: { fk: `f:${f}:${b.value}`, filter: f, value: b.value },
      on: { click: () => go(toggleFilter(st, f, b.value)) },
    },
    h('span', { class: 'name' }, b.value, b.office ? h('span', { class: 'office' }, b.office) : null),
    h('span', { class: 'counts' },
      b.count === null ? null : h('span', { class: 'count', 'aria-label': plural(b.count, 'matching article') }, fmt(b.count)),
      st.count === 'related' && b.related > 0
        ? h('span', { class: 'related-count', 'aria-label': plural(b.related, 'related result') }, '+' + fmt(b.related) + ' related')
        : null)));
  }

  // chipFilter is the filter a chip toggles: a leader chip stands for the
  // person filter when that one already names them.
  function chipFilter(f, value) {
    return f === 'leader' && hasFilter(st, 'person', value) ? 'person' : f;
  }

  function chip(kind, value) {
    const f = chipFilter(kind, value);
    const on = hasFilter(st, f, value);
    return h('li', null, h('button', {
      type: 'button', class: ['chip', 'k-' + kind], 'aria-pressed': on ? 'true' : 'false',
      title: (on ? 'Remove filter: ' : 'Filter by ') + SINGULAR[f] + ' ' + value,
      dataset: { fk: `c:${f}:${value}`, filter: f, value },
      on: { click: () => go(toggleFilter(st, f, value)) },
    }, value));
  }

  function renderHit(hit) {
    const title = hit.title && hit.title.trim() ? hit.title : '(untitled)';
    const titleId = 'hit-' + (hitSeq++);
    const meta = [];
    if (hit.outlet) {
      meta.push(h('button', {
        type: 'button', class: 'link outlet', dataset: { fk: `o:${hit.id}`, filter: 'outlet', value: hit.outlet },
        title: 'Filter by outlet ' + hit.outlet, on: { click: () => go(toggleFilter(st, 'outlet', hit.outlet)) },
      }, hit.outlet));
    }
    if (hit.published) meta.push(h('time', { datetime: hit.published }, formatDate(hit.published)));
    if (hit.authors && hit.authors.length) meta.push(h('span', { class: 'authors' }, 'by ' + hit.authors.join(', ')));
    const src = safeHref(hit.url);
    if (src) meta.push(h('a', { href: src, class: 'source', rel: 'noopener noreferrer nofollow', target: '_blank' }, 'source', h('span', { class: 'visually-hidden' }, ' (opens in a new tab)')));
    if (hit.duplicates) meta.push(h('span', { class: 'dups' }, `+${plural(hit.duplicates, 'copy', 'copies')}`));

    const chips = [];
    for (const [f, list] of [['leader', hit.leaders], ['person', hit.people], ['cited', hit.cited], ['place', hit.places]]) {
      const seen = new Set();
      for (const v of list || []) {
        if (f === 'person' && (hit.leaders || []).includes(v)) continue; // shown as a leader
        if (!seen.has(v)) { seen.add(v); chips.push([f, v]); }
      }
    }
    // The entities the search filters by come first: they say why the
    // article matched.
    const selected = ([f, v]) => hasFilter(st, chipFilter(f, v), v);
    chips.sort((a, b) => selected(b) - selected(a));
    const chipList = h('ul', { class: 'chips', 'aria-label': 'Entities' });
    chips.slice(0, CHIP_LIMIT).forEach(([f, v]) => chipList.appendChild(chip(f, v)));
    if (chips.length > CHIP_LIMIT) {
      const more = h('li', null, h('button', {
        type: 'button', class: 'chip more', 'aria-label': `Show ${chips.length - CHIP_LIMIT} more entities`,
        on: {
          click: (e) => {
            const li = e.currentTarget.parentElement;
            const rest = chips.slice(CHIP_LIMIT).map(([f, v]) => chip(f, v));
            li.replaceWith(...rest);
            rest[0].querySelector('button').focus();
          },
        },
      }, `+${chips.length - CHIP_LIMIT}`));
      chipList.appendChild(more);
    }

    const simId = titleId + '-similar';
    const simBox = h('div', { id: simId, class: 'similar', hidden: true });
    const simBtn = h('button', {
      type: 'button', class: 'link similar-toggle', 'aria-expanded': 'false', 'aria-controls': simId,
      dataset: { fk: `s:${hit.id}` },
    }, 'Similar articles');
    let loaded = false;
    simBtn.addEventListener('click', () => {
      const open = simBtn.getAttribute('aria-expanded') !== 'true';
      simBtn.setAttribute('aria-expanded', String(open));
      simBox.hidden = !open;
      if (open && !loaded) {
        loaded = true;
        loadSimilar(hit.id, simBox, 5);
      }
    });

    return h('li', { class: 'hit', dataset: { id: hit.id, match: hit.match || 'all' } },
      h('article', { 'aria-labelledby': titleId },
        h('h3', { id: titleId, class: 'title' }, h('a', { href: articlePath(hit.id), 'data-nav': '', dataset: { fk: `t:${hit.id}` } }, title)),
        h('p', { class: 'meta' }, meta.flatMap((m, i) => (i ? [h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '), m] : [m]))),
        matchNote(hit),
        (hit.snippets || []).map((s) => h('p', { class: 'snippet' }, markedText(s))),
        chips.length ? chipList : null,
        h('div', { class: 'hit-actions' }, simBtn),
        simBox));
  }
  let hitSeq = 0;

  // matchNote marks a hit that is not in the match set, as web search
  // engines do: a partial match with the query parts it lacks, struck
  // through, or a semantic neighbour. Full matches get none.
  function matchNote(hit) {
    if (hit.match === 'partial') {
      const missing = hit.missing || [];
      return h('p', { class: ['match-note', 'missing'] },
        missing.length ? ['Missing: ', missing.map((w, i) => [i ? ' ' : null, h('s', null, w)])] : 'Partial match');
    }
    if (hit.match === 'semantic') {
      return h('p', { class: ['match-note', 'match-semantic'], title: 'Near the query in meaning; it has none of its words' }, 'Related by meaning');
    }
    return null;
  }

  function pageLink(label, next, { rel, current, fk, aria } = {}) {
    if (current) return h('li', null, h('span', { class: 'current', 'aria-current': 'page' }, label));
    return h('li', null, h('a', { href: searchURL(next), 'data-nav': '', rel, 'aria-label': aria, dataset: { fk: 'p:' + fk } }, label));
  }

  function renderPager(res) {
    clear(pager);
    const size = Number(st.size) || 10;
    const items = [];
    const atPage = (p) => {
      const n = copyState(st);
      delete n.cursor;
      if (p > 1) n.page = String(p); else delete n.page;
      return n;
    };
    if (st.cursor) {
      items.push(pageLink('« First page', atPage(1), { fk: 'first' }));
      if (res.next_cursor) {
        const n = copyState(st);
        n.cursor = res.next_cursor;
        items.push(pageLink('Next ›', n, { rel: 'next', fk: 'next', aria: 'Next page' }));
      }
    } else {
      const page = Number(st.page) || 1;
      // The list holds the match set and the related hits it shows; page
      // numbers reach the API's depth limit, the cursor goes on from there.
      const pages = Math.ceil(listed(res) / size);
      const depth = Math.floor(MAX_DEPTH / size);
      const last = Math.max(1, Math.min(pages, depth));
      const deeper = page >= depth && pages > depth && res.next_cursor;
      if (last <= 1 && page <= 1 && !deeper) return;
      if (page > 1) items.push(pageLink('‹ Prev', atPage(Math.min(page - 1, last)), { rel: 'prev', fk: 'prev', aria: 'Previous page' }));
      const nums = new Set([1, last]);
      for (let p = page - 2; p <= page + 2; p++) if (p >= 1 && p <= last) nums.add(p);
      let prev = 0;
      for (const p of [...nums].sort((a, b) => a - b)) {
        if (p - prev > 1) items.push(h('li', { class: 'gap', 'aria-hidden': 'true' }, '…'));
        items.push(pageLink(String(p), atPage(p), { current: p === page, fk: 'n' + p, aria: 'Page ' + p }));
        prev = p;
      }
      if (page < last) items.push(pageLink('Next ›', atPage(page + 1), { rel: 'next', fk: 'next', aria: 'Next page' }));
      else if (deeper) {
        // Past the page-number depth limit, keep going with the cursor.
        const n = copyState(st);
        delete n.page;
        n.cursor = res.next_cursor;
        items.push(pageLink('More ›', n, { rel: 'next', fk: 'next', aria: 'More results' }));
      }
    }
    pager.appendChild(h('ul', null, items));
  }

  update();
  return { update };
}

// loadSimilar fills box with up to size articles like id, or with the
// server's reason why there are none (e.g. an index without embeddings).
// extra holds more parameters of the similar route (within_days).
export async function loadSimilar(id, box, size, extra = {}) {
  clear(box).appendChild(h('p', { class: 'muted', role: 'status' }, 'Looking for similar articles…'));
  const params = new URLSearchParams({ size: String(size), ...extra });
  try {
    const res = await getJSON('/v1/articles/' + encodeURIComponent(id) + '/similar', params);
    clear(box);
    const list = (res.hits || []).filter((x) => x.id !== id);
    if (list.length === 0) {
      box.appendChild(h('p', { class: 'muted', role: 'status' }, 'No similar articles found.'));
      return;
    }
    box.appendChild(h('ul', { class: 'similar-list', role: 'list' }, list.map((x) => h('li', null,
      h('a', { href: articlePath(x.id), 'data-nav': '' }, x.title && x.title.trim() ? x.title : '(untitled)'),
      h('span', { class: 'muted' }, [x.outlet, formatDate(x.published)].filter(Boolean).map((s) => ' · ' + s).join(''))))));
  } catch (err) {
    if (isAbort(err)) return;
    clear(box).appendChild(h('div', { class: 'notice notice-info similar-unavailable', role: 'status' },
      h('strong', null, 'Similar articles are not available. '), err.message));
  }
}

export { entityPath };
