// The article view: GET /v1/articles/{id} shown as text paragraphs, with
// its entities (mention counts, linked to their entity pages), a source
// link when the URL is http(s), and similar articles.

import { h, clear, safeHref, formatDate, plural, notice } from './dom.js';
import { getJSON, isAbort } from './api.js';
import { entityPath, searchURL, readState, toggleFilter } from './state.js';
import { loadSimilar } from './search.js';

// SIMILAR_DAYS is the window of "around this date": similar articles
// published within 30 days either side of the article, so a piece on a
// coming meeting lists the reports of the meeting, not a year-old op-ed.
// "Any time" drops the window; the URL keeps that choice as ?similar=any
// (the default, around this date, has no parameter). An undated article
// has no window and no switch.
export const SIMILAR_DAYS = 30;

// similarAnyTime reports whether the URL asks for similar articles from
// any time.
function similarAnyTime() {
  return new URLSearchParams(location.search).get('similar') === 'any';
}

// similarSwitch is the "around this date" / "any time" choice; onChange
// gets true for any time.
function similarSwitch(anyTime, onChange) {
  const radio = (value, label, checked) => {
    const input = h('input', { type: 'radio', name: 'similar-when', value });
    input.checked = checked;
    input.addEventListener('change', () => { if (input.checked) onChange(value === 'any'); });
    return h('label', null, input, ' ' + label);
  };
  return h('fieldset', { class: 'similar-when' },
    h('legend', { class: 'visually-hidden' }, 'Similar articles from'),
    radio('around', `Around this date (±${SIMILAR_DAYS} days)`, !anyTime),
    radio('any', 'Any time', anyTime));
}

const GROUPS = [
  ['leaders', 'leader', 'Leaders'],
  ['people', 'person', 'People'],
  ['cited', 'cited', 'Cited outlets'],
  ['places', 'place', 'Places'],
];

// articleView mounts the article page into main.
export function articleView(main, { session }) {
  let ctrl = null;

  async function update(id) {
    // Read now: the router clears the flag once this call yields.
    const focusHeading = session.focusHeading;
    if (ctrl) ctrl.abort();
    ctrl = new AbortController();
    const signal = ctrl.signal;
    const back = h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' },
      h('a', { href: session.lastSearch || '/', 'data-nav': '' }, '‹ Back to results'));
    clear(main).append(back, h('p', { class: 'muted', role: 'status' }, 'Loading article…'));
    document.title = 'Article · newsdex';
    let a;
    try {
      a = await getJSON('/v1/articles/' + encodeURIComponent(id), null, signal);
    } catch (err) {
      if (isAbort(err)) return;
      const h1 = h('h1', { tabindex: '-1' }, err.status === 404 ? 'Article not found' : 'The article could not be loaded');
      clear(main).append(back, h1, notice(err.message, 'error'));
      if (focusHeading) h1.focus();
      return;
    }
    const title = a.title && a.title.trim() ? a.title : '(untitled)';
    document.title = title + ' · newsdex';

    const meta = [];
    if (a.outlet) meta.push(h('a', { href: entityPath('outlet', a.outlet), 'data-nav': '', class: 'outlet' }, a.outlet));
    if (a.published) meta.push(h('time', { datetime: a.published }, formatDate(a.published)));
    if (a.authors && a.authors.length) meta.push(h('span', null, 'by ' + a.authors.join(', ')));
    if (a.dateline) meta.push(h('span', null, 'dateline ' + a.dateline));
    const src = safeHref(a.url);
    const source = src
      ? h('p', { class: 'source-link' }, h('a', { href: src, rel: 'noopener noreferrer nofollow', target: '_blank' }, 'Read at the source', h('span', { class: 'visually-hidden' }, ' (opens in a new tab)')), h('span', { class: 'muted url' }, ' ' + new URL(src).host))
      : null;

    const ents = [];
    for (const [key, f, label] of GROUPS) {
      let list = a[key] || [];
      if (key === 'people') {
        const leaders = new Set((a.leaders || []).map((e) => e.name));
        list = list.filter((e) => !leaders.has(e.name));
      }
      if (list.length === 0) continue;
      ents.push(h('div', { class: 'entity-group' },
        h('h3', null, label),
        h('ul', { role: 'list' }, list.map((e) => h('li', null,
          h('a', { href: entityPath(f, e.name), 'data-nav': '' }, e.name),
          e.office ? h('span', { class: 'office' }, e.office) : null,
          h('span', { class: 'count', title: plural(e.count || 0, 'mention') }, '×' + (e.count || 0)),
          h('a', { href: searchURL(toggleFilter(readState(''), f, e.name)), 'data-nav': '', class: 'search-link', 'aria-label': `Search articles with ${e.name}` }, 'search'))))));
    }

    const paras = String(a.body || '').split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
    const similar = h('div', { id: 'article-similar', class: 'similar' });
    const showSimilar = (anyTime) => loadSimilar(a.id || id, similar, 8, anyTime || !a.published ? {} : { within_days: String(SIMILAR_DAYS) });
    const when = a.published ? similarSwitch(similarAnyTime(), (anyTime) => {
      const q = new URLSearchParams(location.search);
      if (anyTime) q.set('similar', 'any'); else q.delete('similar');
      const qs = q.toString();
      history.replaceState(history.state, '', location.pathname + (qs ? '?' + qs : '') + location.hash);
      showSimilar(anyTime);
    }) : null;
    const h1 = h('h1', { tabindex: '-1' }, title);
    clear(main).append(back, h('div', { class: 'article-layout' },
      h('article', { class: 'article', 'aria-labelledby': 'article-title' },
        h('header', null, Object.assign(h1, { id: 'article-title' }),
          h('p', { class: 'meta' }, meta.flatMap((m, i) => (i ? [h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '), m] : [m]))),
          source),
        h('div', { class: 'body' }, paras.length ? paras.map((p) => h('p', null, p)) : h('p', { class: 'muted' }, 'This article has no text.'))),
      h('aside', { class: 'article-side' },
        ents.length ? h('section', { class: 'entities', 'aria-labelledby': 'entities-h' }, h('h2', { id: 'entities-h' }, 'In this article'), ents) : null,
        h('section', { class: 'similar-section', 'aria-labelledby': 'similar-h' }, h('h2', { id: 'similar-h' }, 'Similar articles'), when, similar))));
    if (focusHeading) h1.focus();
    showSimilar(similarAnyTime());
  }

  return { update };
}
