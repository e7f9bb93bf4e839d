// Entity pages (/person/{name}, /outlet/{name}, ...): how often the entity
// appears over time, who appears with it most, the outlets that cover it
// most and the latest articles. One /v1/search call filtered by the
// entity gives all four (facets and date-sorted hits).

import { h, clear, fmt, plural, formatDate, notice } from './dom.js';
import { getJSON, isAbort } from './api.js';
import { SINGULAR, readState, searchURL, changed, entityPath, articlePath } from './state.js';
import { volumeChart, intervalFor, finer, inclusiveTo } from './chart.js';

const KIND = { person: 'Person', leader: 'Leader', outlet: 'News outlet', cited: 'Cited outlet', place: 'Place' };

// entityView mounts an entity page into main.
export function entityView(main, { session }) {
  let ctrl = null;

  async function update(type, name) {
    if (ctrl) ctrl.abort();
    ctrl = new AbortController();
    const signal = ctrl.signal;
    document.title = name + ' · newsdex';
    const base = changed(readState(''), (n) => { n.filters[type] = [name]; });
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
    try {
      res = await getJSON('/v1/search', params, signal);
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
    } catch (err) {
      if (isAbort(err)) return;
      main.lastChild.replaceWith(notice(err.message, 'error'));
      return;
    }

    const self = name.toLowerCase();
    const leader = (res.facets.leaders || []).find((b) => b.value.toLowerCase() === self);
    if (leader && leader.office) kind.textContent = KIND[type] + ' · ' + leader.office;
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
      sections.push(ranked('ent-outlets-h', 'Outlets covering them most', without(res.facets.outlets), 'outlet', base, 'No outlet named.'));
    }
    sections.push(ranked('ent-places-h', 'Places', without(res.facets.places), 'place', base, 'No places.'));
    sections.push(h('section', { class: 'latest wide', 'aria-labelledby': 'ent-latest-h' },
      h('h2', { id: 'ent-latest-h' }, 'Latest articles'),
      h('ol', { class: 'latest-list' }, (res.hits || []).map((x) => h('li', null,
        h('a', { href: articlePath(x.id), 'data-nav': '' }, x.title && x.title.trim() ? x.title : '(untitled)'),
        h('span', { class: 'muted' }, [x.outlet, formatDate(x.published)].filter(Boolean).map((s) => ' · ' + s).join('')))))));
    main.lastChild.replaceWith(h('div', { class: 'entity-grid' }, sections));
  }

  return { update };
}

// ranked lists facet buckets with counts and a <meter> bar; each name
// links to its own page, each count to the search of both.
function ranked(id, title, buckets, f, base, empty) {
  const max = Math.max(1, ...buckets.map((b) => b.count));
  return h('section', { class: 'ranked', 'aria-labelledby': id },
    h('h2', { id }, title),
    buckets.length === 0 ? h('p', { class: 'muted' }, empty) : h('ol', { class: 'ranked-list' }, buckets.map((b) => h('li', null,
      h('a', { href: entityPath(f, b.value), 'data-nav': '', class: 'name' }, b.value),
      b.office ? h('span', { class: 'office' }, b.office) : null,
      h('meter', { min: '0', max: String(max), value: String(b.count), 'aria-hidden': 'true' }),
      h('a', {
        href: searchURL(changed(base, (n) => {
          // Two values of one filter would be OR: ask for both with the
          // query's field syntax instead.
          if (n.filters[f].length) n.q = `${f}:"${b.value.replace(/["\\]/g, '\\$&')}"`;
          else n.filters[f] = [b.value];
        })),
        'data-nav': '', class: 'count', 'aria-label': `${plural(b.count, 'article')} with ${b.value}`,
      }, fmt(b.count))))));
}
