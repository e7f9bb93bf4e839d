// DOM helpers. Every piece of article data reaches the page through
// text nodes or setAttribute on a fixed list of attributes: nothing here
// parses data as HTML, so a title like "<img src=x onerror=...>" stays text.

const SVG_NS = 'http://www.w3.org/2000/svg';

// Attributes that could run script or load a resource are refused, so a
// caller cannot pass data into them by mistake.
const REFUSED = /^(on|style$|srcdoc$|formaction$)/i;

function setProps(el, props) {
  if (!props) return;
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') {
      el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    } else if (key === 'text') {
      el.textContent = String(value);
    } else if (key === 'on') {
      for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
    } else if (key === 'dataset') {
      for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    } else if (key === 'value' && 'value' in el) {
      el.value = String(value);
    } else if (key === 'checked' || key === 'selected') {
      el[key] = Boolean(value);
    } else if (REFUSED.test(key)) {
      throw new Error('dom: refused attribute ' + key);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

function appendAll(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// h creates an HTML element: h('a', {href: '/x', class: 'c'}, 'text', child).
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  setProps(el, props);
  appendAll(el, children);
  return el;
}

// svg creates an SVG element the same way.
export function svg(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setProps(el, props);
  appendAll(el, children);
  return el;
}

// clear removes every child of el.
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// safeHref returns u as an absolute URL when its scheme is http or https,
// else null: javascript:, data: and relative junk from article data are
// never linked.
export function safeHref(u) {
  if (typeof u !== 'string' || u.trim() === '') return null;
  let url;
  try {
    url = new URL(u.trim());
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

const NAMED = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

// decodeEntities undoes the server's HTML escaping of snippet text
// (html.EscapeString: &amp; &lt; &gt; &#34; &#39;) without an HTML parser.
export function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : m;
    }
    const v = NAMED[e.toLowerCase()];
    return v === undefined ? m : v;
  });
}

// markedText turns a server snippet (escaped text with raw <mark>/</mark>)
// into a fragment of text nodes and <mark> elements.
export function markedText(snippet) {
  const frag = document.createDocumentFragment();
  let inMark = false;
  for (const part of String(snippet).split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>') {
      inMark = true;
    } else if (part === '</mark>') {
      inMark = false;
    } else if (part !== '') {
      const text = document.createTextNode(decodeEntities(part));
      frag.appendChild(inMark ? h('mark', null, text) : text);
    }
  }
  return frag;
}

// formatDate shows a YYYY-MM-DD date in the reader's locale, in UTC so the
// day never shifts.
export function formatDate(d) {
  if (!d || !/^\d{4}-\d{2}-\d{2}$/.test(d)) return d || '';
  const t = new Date(d + 'T00:00:00Z');
  if (Number.isNaN(t.getTime())) return d;
  return t.toLocaleDateString(undefined, { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' });
}

// fmt formats a count with the reader's digit grouping.
export function fmt(n) {
  return Number(n || 0).toLocaleString();
}

// plural returns "1 article" or "3 articles".
export function plural(n, word, words) {
  return fmt(n) + ' ' + (n === 1 ? word : words || word + 's');
}

// notice renders a message box; kind is "error" or "info".
export function notice(message, kind = 'info') {
  return h('p', { class: ['notice', 'notice-' + kind], role: kind === 'error' ? 'alert' : null }, message);
}
