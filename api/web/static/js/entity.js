// Entity pages (/person/{name}, /outlet/{name}, ...): how often the entity
// appears over time, who appears with it most, the outlets that cover it
// most and the latest articles. One /v1/search call filtered by the
// entity gives all four (facets and date-sorted hits). The name in the
// URL need not be canonical: the API reads it as the search filter does
// (resolve.js), and the page shows, and moves to, the canonical one.
// Outlets are listed with their share of each outlet's articles, so a
// large outlet does not look keener than a small one that covers the
// entity more often.

import { h, clear, fmt, plural, formatDate, notice } from './dom.js';
import { getJSON, isAbort } from './api.js';
import { SINGULAR, readState, searchURL, changed, entityPath, articlePath } from './state.js';
import { volumeChart, intervalFor, finer, inclusiveTo } from './chart.js';
import { HOW_TEXT, resolutionOf, isUnknown, suggestionsOf } from './resolve.js';

const KIND = { person: 'Person', leader: 'Leader', outlet: 'News outlet', cited: 'Cited outlet', place: 'Place' };

// entityView mounts an entity page into main.
export function entityView(main, { session }) {
  let ctrl = null;
  // How the outlets list is ordered: by raw count (the default) or by
  // share of the outlet's articles. It holds from one entity to the next.
  const order = { by: 'count' };

  async function update(type, given) {
    let name = given;
    if (ctrl) ctrl.abort();
    ctrl = new AbortController();
    const signal = ctrl.signal;
    document.title = name + ' · newsdex';
    const h1 = h('h1', { tabindex: '-1' }, name);
    const kind = h('p', { class: 'kind' }, KIND[type]);
    const head = h('header', { class: 'entity-head' }, h1, kind);
    clear(main).append(
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: session.lastSearch || '/', 'data-nav': '' }, '‹ Back to search')),
      head, h('p', { class: 'muted', role: 'status' }, 'Loading…'));
    if (session.focusHeading) h1.focus();

    const params = new URLSearchParams();
    params.append(type, name);
    params.set('sort', 'date');
    params.set('size', '10');
    params.set('snippets', '0');
    params.set('facets', 'people,leaders,outlets,cited,places,published');
    params.set('facet_size', '11');
    let interval = 'month';
    params.set('interval', interval);
    let res;
    let totals = null;
    try {
      // Outlet sizes load beside the search: the outlets list needs both.
      const sizes = type === 'outlet' ? null : outletTotals(signal);
      res = await getJSON('/v1/search', params, signal);
      const r = resolutionOf(res, type, given);
      if (isUnknown(r)) {
        renderUnknown(type, given, suggestionsOf(res, type));
        return;
      }
      if (r && r.value && r.value !== given) {
        // The canonical page: the same answer, under the name the index
        // holds, so links from here and a reload use it.
        name = r.value;
        history.replaceState(null, '', entityPath(type, name) + location.search + location.hash);
        document.title = name + ' · newsdex';
        h1.textContent = name;
        if (r.how !== 'exact') {
          const how = HOW_TEXT[r.how] || r.how;
          head.insertBefore(h('p', { class: 'entity-read', dataset: { given, how: r.how } },
            `"${given}" read as ${name} (${how}).`), kind.nextSibling);
        }
      }
      let buckets = res.facets.published || [];
      // Few bars: refine, as the search page does.
      while (buckets.length <= 2 && res.total > 3 && finer(interval)) {
        interval = finer(interval);
        const p = new URLSearchParams({ size: '1', snippets: '0', facets: 'published', interval });
        p.append(type, name);
        const more = await getJSON('/v1/search', p, signal);
        buckets = more.facets.published || [];
      }
      res.facets.published = buckets;
      if (sizes) totals = await sizes;
    } catch (err) {
      if (isAbort(err)) return;
      main.lastChild.replaceWith(notice(err.message, 'error'));
      return;
    }

    const self = name.toLowerCase();
    const leader = (res.facets.leaders || []).find((b) => b.value.toLowerCase() === self);
    if (leader && leader.office) kind.textContent = KIND[type] + ' · ' + leader.office;
    const base = changed(readState(''), (n) => { n.filters[type] = [name]; });
    head.appendChild(h('p', { class: 'entity-total' },
      h('strong', null, plural(res.total, 'article')), ' ',
      h('a', { href: searchURL(base), 'data-nav': '' }, 'Search them')));
    if (res.total === 0) {
      main.lastChild.replaceWith(notice(`No article in the index mentions ${name} as a ${SINGULAR[type]}.`));
      return;
    }

    const without = (list) => (list || []).filter((b) => b.value.toLowerCase() !== self).slice(0, 10);
    const sections = [];
    sections.push(h('section', { class: 'timeline wide', 'aria-labelledby': 'ent-time-h' },
      h('h2', { id: 'ent-time-h' }, 'Mentions over time'),
      volumeChart(res.facets.published, {
        interval,
        caption: `Articles per ${interval}. Select a bar to search that period.`,
        hrefFor: (b) => searchURL(changed(base, (n) => { n.from = b.from; n.to = inclusiveTo(b.to); })),
      })));
    const people = without(res.facets.people);
    const subject = type === 'outlet' ? 'it covers' : type === 'cited' || type === 'place' ? 'with it' : 'with them';
    sections.push(ranked('ent-people-h', type === 'outlet' ? 'People it covers most' : 'Appears most with', people, 'person', base,
      `Articles that mention both. No other person appears ${subject}.`));
    if (type === 'outlet') {
      sections.push(ranked('ent-cited-h', 'Outlets it cites most', without(res.facets.cited), 'cited', base, 'It cites no other outlet.'));
    } else {
      sections.push(outletsSection(without(res.facets.outlets), totals, base, order));
    }
    sections.push(ranked('ent-places-h', 'Places', without(res.facets.places), 'place', base, 'No places.'));
    sections.push(h('section', { class: 'latest wide', 'aria-labelledby': 'ent-latest-h' },
      h('h2', { id: 'ent-latest-h' }, 'Latest articles'),
      h('ol', { class: 'latest-list' }, (res.hits || []).map((x) => h('li', null,
        h('a', { href: articlePath(x.id), 'data-nav': '' }, x.title && x.title.trim() ? x.title : '(untitled)'),
        h('span', { class: 'muted' }, [x.outlet, formatDate(x.published)].filter(Boolean).map((s) => ' · ' + s).join('')))))));
    main.lastChild.replaceWith(h('div', { class: 'entity-grid' }, sections));
  }

  // renderUnknown answers a name the index does not hold: the closest
  // names, each linked to its own page, with their article counts.
  function renderUnknown(type, given, sugg) {
    const box = h('div', { class: ['notice', 'notice-info', 'unknown-filter'], role: 'status', dataset: { filter: type } },
      h('p', { class: 'unknown-what' }, `No ${SINGULAR[type]} called "${given}".`),
      sugg.length === 0 ? h('p', null, 'No close name either.') : [
        h('p', null, 'Did you mean:'),
        h('ul', { class: 'suggestions' }, sugg.map((b) => h('li', null,
          h('a', { href: entityPath(type, b.value), 'data-nav': '', dataset: { value: b.value, count: b.count } }, b.value),
          ' ', h('span', { class: 'count' }, plural(b.count, 'article')))))]);
    main.lastChild.replaceWith(box);
  }

  return { update };
}

// outletTotals returns a Map from outlet name to its article count in the
// whole index: the denominators of the outlets' shares, or null when it
// cannot be had (the list then shows raw counts only). It never throws:
// the page may leave it unawaited when the search fails.
async function outletTotals(signal) {
  try {
    const res = await getJSON('/v1/entities', new URLSearchParams({ type: 'outlet', size: '100' }), signal);
    return new Map((res.entities || []).map((e) => [e.name, e.count]));
  } catch {
    return null;
  }
}

// outletTotal looks up one outlet beyond the 100 largest.
async function outletTotal(name) {
  if (new TextEncoder().encode(name).length > 100) return null;
  try {
    const res = await getJSON('/v1/entities', new URLSearchParams({ type: 'outlet', prefix: name, size: '100' }));
    const e = (res.entities || []).find((x) => x.name === name);
    return e ? e.count : null;
  } catch {
    return null;
  }
}

// share formats count/total as a percentage with one decimal: 6.8%.
function share(count, total) {
  return (100 * count / total).toLocaleString(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + '%';
}

// outletsSection lists the outlets that cover the entity most, each with
// its raw count and its share of the outlet's articles ("The Hill 88 ·
// 6.8% of its articles"), ordered by count or, at the reader's choice,
// by share. order.by holds the choice.
function outletsSection(buckets, totals, base, order) {
  const list = buckets.map((b) => ({ ...b, total: totals ? totals.get(b.value) : undefined }));
  const sec = h('section', { class: ['ranked', 'outlets-share'], 'aria-labelledby': 'ent-outlets-h' },
    h('h2', { id: 'ent-outlets-h' }, 'Outlets covering them most'));
  if (list.length === 0) {
    sec.appendChild(h('p', { class: 'muted' }, 'No outlet named.'));
    return sec;
  }
  const box = h('div', null);
  const buttons = [['count', 'articles'], ['share', 'share of the outlet']].map(([by, label]) => h('button', {
    type: 'button', 'aria-pressed': order.by === by ? 'true' : 'false', dataset: { order: by },
    on: { click: () => { order.by = by; draw(); } },
  }, label));
  sec.append(h('div', { class: 'ranked-order', role: 'group', 'aria-label': 'Order outlets by' }, 'Order by ', buttons), box);

  function draw() {
    for (const b of buttons) b.setAttribute('aria-pressed', b.dataset.order === order.by ? 'true' : 'false');
    const rows = [...list];
    const ratio = (b) => (b.total ? b.count / b.total : -1);
    // Array sort is stable: ties keep the API's order (by count).
    if (order.by === 'share') rows.sort((a, b) => ratio(b) - ratio(a));
    clear(box).appendChild(rankedList(rows, 'outlet', base, order.by === 'share' ? ratio : null));
  }
  draw();
  // Outlets beyond the 100 largest get their size one by one.
  const missing = totals ? list.filter((b) => b.total === undefined) : [];
  if (missing.length) {
    Promise.all(missing.map(async (b) => { b.total = await outletTotal(b.value); })).then(draw, () => {});
  }
  return sec;
}

// ranked lists facet buckets with counts and a <meter> bar; each name
// links to its own page, each count to the search of both.
function ranked(id, title, buckets, f, base, empty) {
  return h('section', { class: 'ranked', 'aria-labelledby': id },
    h('h2', { id }, title),
    buckets.length === 0 ? h('p', { class: 'muted' }, empty) : rankedList(buckets, f, base, null));
}

// rankedList is the list of ranked: its bars show the count, or the value
// of by(bucket) when given. A bucket with a total (an outlet's article
// count) also shows its share of it.
function rankedList(buckets, f, base, by) {
  const val = by || ((b) => b.count);
  const max = Math.max(by ? 0 : 1, ...buckets.map(val)) || 1;
  return h('ol', { class: 'ranked-list' }, buckets.map((b) => h('li', { dataset: b.total ? { value: b.value, count: b.count, total: b.total } : { value: b.value, count: b.count } },
      h('a', { href: entityPath(f, b.value), 'data-nav': '', class: 'name' }, b.value),
      b.office ? h('span', { class: 'office' }, b.office) : null,
      h('meter', { min: '0', max: String(max), value: String(Math.max(0, val(b))), 'aria-hidden': 'true' }),
      h('a', {
        href: searchURL(changed(base, (n) => {
          // Two values of one filter would be OR: ask for both with the
          // query's field syntax instead.
          if (n.filters[f].length) n.q = `${f}:"${b.value.replace(/["\\]/g, '\\$&')}"`;
          else n.filters[f] = [b.value];
        })),
        'data-nav': '', class: 'count', 'aria-label': `${plural(b.count, 'article')} with ${b.value}`,
      }, fmt(b.count)),
      b.total ? h('span', { class: 'share', title: `${fmt(b.count)} of ${b.value}'s ${plural(b.total, 'article')}` }, `${share(b.count, b.total)} of its articles`) : null)));
}
