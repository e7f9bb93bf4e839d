// Entry point of the newsdex page: a small router over the History API.
// Paths: / (search), /article/{id}, /{person|leader|outlet|cited|place}/{name},
// /alerts.
// Links marked data-nav navigate in place (pushState); everything else,
// and any click with a modifier key, is left to the browser.

import { h, clear, notice } from './dom.js';
import { searchView } from './search.js';
import { articleView } from './article.js';
import { entityView } from './entity.js';
import { alertsView } from './alerts.js';

const main = document.getElementById('main');
const session = { lastSearch: '/', focusHeading: false };
let current = null;

function decode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function parse(path) {
  if (path === '/' || path === '') return { name: 'search', args: [] };
  if (path === '/alerts' || path === '/alerts/') return { name: 'alerts', args: [] };
  let m = path.match(/^\/article\/([^/]+)\/?$/);
  if (m && decode(m[1]) !== null) return { name: 'article', args: [decode(m[1])] };
  m = path.match(/^\/(person|leader|outlet|cited|place)\/([^/]+)\/?$/);
  if (m && decode(m[2])) return { name: 'entity', args: [m[1], decode(m[2])] };
  return { name: 'missing', args: [] };
}

const VIEWS = {
  search: (ctx) => searchView(main, ctx),
  article: () => articleView(main, { session }),
  entity: () => entityView(main, { session }),
  alerts: () => alertsView(main, { session }),
  missing: () => ({
    update() {
      document.title = 'Not found · newsdex';
      clear(main).append(h('h1', null, 'Page not found'), notice('There is no page at this address.'), h('p', null, h('a', { href: '/', 'data-nav': '' }, 'Go to search')));
    },
  }),
};

function route() {
  const { name, args } = parse(location.pathname);
  if (current && current.name === name) {
    current.view.update(...args);
    return;
  }
  // searchView runs its first search when it mounts.
  const view = VIEWS[name]({ nav, session });
  current = { name, view };
  if (name !== 'search') view.update(...args);
}

// nav goes to an in-app URL, adding a history entry.
export function nav(url) {
  const target = new URL(url, location.href);
  if (target.origin !== location.origin) {
    location.assign(target.href);
    return;
  }
  const before = location.pathname;
  history.pushState(null, '', target.pathname + target.search + target.hash);
  session.focusHeading = target.pathname !== before;
  if (target.pathname !== before) window.scrollTo(0, 0);
  route();
  session.focusHeading = false;
}

document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target instanceof Element ? e.target.closest('a[data-nav]') : null;
  if (!a || a.getAttribute('target')) return;
  const href = a.getAttribute('href');
  if (!href || !href.startsWith('/') || href.startsWith('//')) return;
  e.preventDefault();
  nav(href);
});

window.addEventListener('popstate', route);
route();
