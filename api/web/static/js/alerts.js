// Saved searches as alerts: the search page's "Save as alert" panel and
// the alerts page (/alerts), which lists each alert with its recent
// webhook deliveries. Every /v1/alerts call needs the server's write key.
// The page asks for it once and keeps it in sessionStorage: for this tab's
// session only. Never in the URL (history, logs and Referer headers keep
// URLs) and never in localStorage (it outlives the session).

import { h, clear, notice, plural } from './dom.js';
import { FILTERS, SINGULAR, opParam, readState, searchURL } from './state.js';

// KEY_ITEM is the sessionStorage item holding the write key.
const KEY_ITEM = 'newsdex.writeKey';

// FREQUENCIES are the choices of POST /v1/alerts "frequency".
const FREQUENCIES = [
  ['realtime', 'Real time', 'each new matching article within seconds of its indexing'],
  ['hourly', 'Hourly digest', 'the new matching articles of the last hour, once an hour'],
  ['daily', 'Daily digest', 'the new matching articles of the last day, once a day'],
];
const FREQ_LABEL = Object.fromEntries(FREQUENCIES.map(([v, l]) => [v, l]));

// REFRESH_MS is how often the alerts page reloads the deliveries while it
// is shown, so a delivery appears without a reload.
const REFRESH_MS = 4000;

// SHOWN_DELIVERIES bounds the deliveries listed per alert.
const SHOWN_DELIVERIES = 10;

const STATUS_LABEL = { pending: 'Pending', delivered: 'Delivered', failed: 'Failed' };

// storedKey returns the write key of this session, or ''. Storage can be
// refused (privacy modes); the page then asks again each time.
function storedKey() {
  try {
    return sessionStorage.getItem(KEY_ITEM) || '';
  } catch {
    return '';
  }
}

function storeKey(k) {
  try {
    sessionStorage.setItem(KEY_ITEM, k);
  } catch {
    // Not kept: asked for again next time.
  }
}

function forgetKey() {
  try {
    sessionStorage.removeItem(KEY_ITEM);
  } catch {
    // Nothing was kept.
  }
}

// AlertError is a failed /v1/alerts call: the HTTP status (0 when the
// server could not be reached) and the API's error object.
class AlertError extends Error {
  constructor(status, detail, message) {
    super(message);
    this.name = 'AlertError';
    this.status = status;
    this.detail = detail || {};
  }
}

// call sends one keyed request to the alerts API and returns its JSON.
async function call(method, path, key, body) {
  const headers = { Accept: 'application/json', Authorization: 'Bearer ' + key };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new AlertError(0, null, 'The server could not be reached. Check that newsdex is running and try again.');
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    throw new AlertError(res.status, e, typeof e.message === 'string' ? e.message : 'The server answered ' + res.status + '.');
  }
  if (data === null) throw new AlertError(res.status, null, 'The server sent an answer the page could not read.');
  return data;
}

// keyRefused reports whether err means the key is missing or wrong.
function keyRefused(err) {
  return err.status === 401 || err.status === 403;
}

// errorText says plainly what went wrong, in the API's own words.
function errorText(err) {
  const d = err.detail || {};
  switch (err.status) {
    case 401:
      return 'This needs the server\'s write API key: ' + err.message;
    case 403:
      return 'The write key was refused: ' + err.message;
    case 503:
      return 'Alerts are not available on this server: ' + err.message;
    case 400: {
      let m = err.message;
      if (typeof d.position === 'number' && !/position/i.test(m)) m += ` (at position ${d.position})`;
      return 'The alert was not saved: ' + m;
    }
  }
  return err.message;
}

// alertQuery is the "query" of POST /v1/alerts for the search state st:
// the parameters that decide which articles match (query, word operator,
// filters with their operators, dates, mode), arrays for the filters.
// Sort, paging and display settings do not change the match set.
export function alertQuery(st) {
  const q = {};
  if (st.q) q.q = st.q;
  if (st.op) q.op = st.op;
  for (const f of FILTERS) {
    const vals = (st.filters && st.filters[f]) || [];
    if (vals.length) q[f] = [...vals];
    if (vals.length > 1 && st.ops && st.ops[f] === 'and') q[opParam(f)] = 'and';
  }
  for (const k of ['from', 'to', 'mode']) if (st[k]) q[k] = st[k];
  return q;
}

// queryState turns an alert's stored query back into a search state.
function queryState(query) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) {
    for (const x of Array.isArray(v) ? v : [v]) p.append(k, String(x));
  }
  return readState(p.toString());
}

// summary says in a line what a search state asks for.
function summary(st) {
  const parts = [];
  if (st.q) parts.push(`"${st.q}"` + (st.op === 'or' ? ' (any word)' : ''));
  for (const f of FILTERS) {
    const vals = st.filters[f] || [];
    if (vals.length) parts.push(`${SINGULAR[f]}: ${vals.join(st.ops[f] === 'and' ? ' and ' : ' or ')}`);
  }
  if (st.from && st.to) parts.push(`${st.from} to ${st.to}`);
  else if (st.from) parts.push(`from ${st.from}`);
  else if (st.to) parts.push(`until ${st.to}`);
  if (st.mode) parts.push(st.mode);
  return parts.length ? parts.join(' · ') : 'every new article';
}

// defaultName names an alert after its search.
function defaultName(st) {
  const parts = [];
  if (st.q) parts.push(st.q);
  for (const f of FILTERS) parts.push(...(st.filters[f] || []));
  const name = parts.join(' · ') || 'All new articles';
  return name.length > 200 ? name.slice(0, 199) + '…' : name;
}

// webhookHost is the host part of a webhook URL: the page shows where
// deliveries go, not the path (which may carry the receiver's token).
function webhookHost(u) {
  try {
    return new URL(u).host;
  } catch {
    return '(not a URL)';
  }
}

function formatTime(iso) {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? '' : t.toLocaleString();
}

// field is a labelled form control with an optional help text.
function field(id, label, control, help) {
  const helpId = help ? id + '-help' : null;
  if (helpId) control.setAttribute('aria-describedby', helpId);
  return h('div', { class: 'alert-field' },
    h('label', { for: id }, label),
    control,
    help ? h('p', { id: helpId, class: 'muted' }, help) : null);
}

// keyInput is the write-key box (a password field, never autofilled into
// the URL: the forms that hold it are handled in script).
function keyInput(id) {
  return h('input', { id, name: 'key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true });
}

const KEY_HELP = 'The server\'s write API key. This browser tab keeps it until you close it; it is never put in the address.';

// saveAlertBar returns the search page's "Save as alert" control: a
// toggle that opens a form over the search that state() returns.
export function saveAlertBar(state) {
  const panel = h('section', { id: 'save-alert', class: 'save-alert', hidden: true, 'aria-labelledby': 'save-alert-h' });
  const toggle = h('button', {
    type: 'button', class: 'link alert-toggle', 'aria-expanded': 'false', 'aria-controls': 'save-alert',
  }, 'Save as alert');
  const bar = h('div', { class: 'alert-bar' },
    h('div', { class: 'alert-links' }, toggle, h('a', { href: '/alerts', 'data-nav': '' }, 'Your alerts')),
    panel);

  function close() {
    // Clearing drops a secret shown once.
    clear(panel);
    panel.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    toggle.focus();
  }

  toggle.addEventListener('click', () => {
    if (!panel.hidden) {
      close();
      return;
    }
    openForm(panel, state(), close);
    panel.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    panel.querySelector('#sa-name').focus();
  });
  return bar;
}

// openForm fills panel with the form that saves st as an alert.
function openForm(panel, st, close) {
  const query = alertQuery(st);
  const name = h('input', { id: 'sa-name', name: 'name', type: 'text', required: true, maxlength: '200', value: defaultName(st) });
  const url = h('input', { id: 'sa-url', name: 'webhook_url', type: 'url', required: true, autocomplete: 'off', spellcheck: 'false' });
  const freq = h('select', { id: 'sa-frequency', name: 'frequency' },
    FREQUENCIES.map(([v, l, d]) => h('option', { value: v, title: d }, l)));
  const secret = h('input', { id: 'sa-secret', name: 'secret', type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: '256' });
  const keyBox = h('div', { class: 'alert-key' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Save alert');
  const out = h('div', { class: 'alert-out', 'aria-live': 'polite' });
  const inputs = { name, webhook_url: url, frequency: freq, secret };

  function showKey() {
    if (storedKey()) {
      clear(keyBox);
      return;
    }
    if (!keyBox.querySelector('input')) keyBox.appendChild(field('sa-key', 'Write key', keyInput('sa-key'), KEY_HELP));
  }
  showKey();

  const form = h('form', { class: 'alert-form', 'aria-labelledby': 'save-alert-h' },
    h('h2', { id: 'save-alert-h' }, 'Save this search as an alert'),
    h('p', { class: 'muted' }, 'New articles matching ', h('strong', { class: 'alert-summary' }, summary(st)),
      ' will be sent to your webhook as JSON, each article once.'),
    h('div', { class: 'alert-grid' },
      field('sa-name', 'Name', name),
      field('sa-url', 'Webhook URL', url, 'newsdex POSTs new matches here.'),
      field('sa-frequency', 'Frequency', freq),
      field('sa-secret', 'Secret (optional)', secret, 'Signs each delivery (X-Newsdex-Signature). Left empty, one is made for you.')),
    keyBox,
    h('div', { class: 'alert-actions' }, submit, h('button', { type: 'button', class: 'link', on: { click: close } }, 'Cancel')),
    out);
  clear(panel).appendChild(form);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const typed = keyBox.querySelector('input');
    const key = storedKey() || (typed ? typed.value.trim() : '');
    for (const el of Object.values(inputs)) el.removeAttribute('aria-invalid');
    clear(out);
    submit.disabled = true;
    submit.textContent = 'Saving…';
    const body = { name: name.value.trim(), query, webhook_url: url.value.trim(), frequency: freq.value };
    if (secret.value !== '') body.secret = secret.value;
    try {
      const res = await call('POST', '/v1/alerts', key, body);
      storeKey(key);
      showSaved(panel, res, body.name, close);
    } catch (err) {
      if (keyRefused(err)) {
        forgetKey();
        showKey();
      } else if (typed && err.status !== 0) {
        // The server took the key (it checks it first): keep it.
        storeKey(key);
        clear(keyBox);
      }
      out.appendChild(notice(errorText(err), 'error'));
      const bad = inputs[err.detail && err.detail.param];
      const focus = bad || (keyRefused(err) ? keyBox.querySelector('input') : null);
      if (bad) bad.setAttribute('aria-invalid', 'true');
      if (focus) focus.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Save alert';
    }
  });
}

// showSaved replaces the form with the new alert's id and its secret,
// which no later answer shows again.
function showSaved(panel, res, name, close) {
  const head = h('h2', { id: 'save-alert-h', tabindex: '-1' }, 'Alert saved');
  clear(panel).appendChild(h('div', { class: 'alert-saved' },
    head,
    h('p', null, `"${name}" has the id `, h('code', { class: 'alert-id' }, res.id), '.'),
    h('p', null, 'Its secret: ', h('code', { class: 'alert-secret' }, res.secret)),
    h('p', { class: ['notice', 'notice-warn'], role: 'alert' },
      h('strong', null, 'Copy the secret now: it is shown only this once. '),
      'Your receiver checks each delivery\'s X-Newsdex-Signature (HMAC-SHA256 of the body) with it; newsdex never shows it again.'),
    h('p', { class: 'alert-actions' },
      h('a', { href: '/alerts', 'data-nav': '' }, 'See your alerts'),
      h('button', { type: 'button', class: 'link', on: { click: close } }, 'Done'))));
  head.focus();
}

// alertsView mounts the alerts page into main.
export function alertsView(main, { session }) {
  let timer = null;
  let seq = 0;

  function update() {
    const focusHeading = session.focusHeading;
    const my = ++seq;
    if (timer) clearTimeout(timer);
    timer = null;
    document.title = 'Alerts · newsdex';
    const h1 = h('h1', { tabindex: '-1' }, 'Alerts');
    const body = h('div', { class: 'alerts-body' });
    const root = h('div', { class: 'alerts-page' },
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: session.lastSearch || '/', 'data-nav': '' }, '‹ Back to search')),
      h('header', { class: 'alerts-head' }, h1,
        h('p', { class: 'muted' }, 'Saved searches that send each new matching article to a webhook. Save one with "Save as alert" on the search page.')),
      body);
    clear(main).appendChild(root);
    if (focusHeading) h1.focus();
    if (storedKey()) load(my, body, h1);
    else askKey(my, body, h1, null);
  }

  // askKey shows the key form, with the reason the last key failed.
  function askKey(my, body, h1, err) {
    const input = keyInput('ak-key');
    const form = h('form', { class: 'alert-form key-form', 'aria-label': 'Write key' },
      err ? notice(errorText(err), 'error') : h('p', null, 'Managing alerts needs the server\'s write API key.'),
      field('ak-key', 'Write key', input, KEY_HELP),
      h('div', { class: 'alert-actions' }, h('button', { type: 'submit', class: 'primary' }, 'Show alerts')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const k = input.value.trim();
      if (!k) return;
      storeKey(k);
      load(my, body, h1);
    });
    clear(body).appendChild(form);
    if (err) input.focus();
  }

  // load lists the alerts; refocus puts focus back on the Refresh button
  // that asked for it, which the new list replaces.
  async function load(my, body, h1, refocus = false) {
    clear(body).appendChild(h('p', { class: 'muted', role: 'status' }, 'Loading alerts…'));
    let alerts;
    let deliveries;
    try {
      alerts = (await call('GET', '/v1/alerts', storedKey())).alerts || [];
      deliveries = await Promise.all(alerts.map((a) => fetchDeliveries(a.id)));
    } catch (err) {
      if (my !== seq) return;
      if (keyRefused(err)) {
        forgetKey();
        askKey(my, body, h1, err);
        return;
      }
      clear(body).appendChild(notice(errorText(err), 'error'));
      return;
    }
    if (my !== seq) return;
    const said = h('p', { class: 'alerts-count', role: 'status' },
      alerts.length ? plural(alerts.length, 'alert') : 'No alerts yet.');
    const list = h('ul', { class: 'alert-list', role: 'list' });
    const items = new Map();
    alerts.forEach((a, i) => {
      const item = alertItem(a, deliveries[i], said, items);
      items.set(a.id, item);
      list.appendChild(item.li);
    });
    const refresh = h('button', { type: 'button', class: 'refresh', on: { click: () => load(my, body, h1, true) } }, 'Refresh');
    const forget = h('button', {
      type: 'button',
      class: 'forget-key',
      on: { click: () => { forgetKey(); askKey(my, body, h1, null); body.querySelector('#ak-key').focus(); } },
    }, 'Forget the key');
    clear(body).append(h('div', { class: 'alerts-tools' }, said, refresh, forget), list);
    if (refocus) refresh.focus();
    schedule(my, body, items);
  }

  // schedule reloads the deliveries of the listed alerts every REFRESH_MS
  // until the page is left (its elements leave the document).
  function schedule(my, body, items) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(async () => {
      if (my !== seq || !body.isConnected) return;
      if (!document.hidden) {
        for (const [id, item] of items) {
          if (!item.li.isConnected) {
            items.delete(id);
            continue;
          }
          try {
            item.show(await fetchDeliveries(id));
          } catch {
            // Shown again on the next round or on Refresh.
          }
        }
      }
      if (my === seq && body.isConnected) schedule(my, body, items);
    }, REFRESH_MS);
  }

  return { update };
}

async function fetchDeliveries(id) {
  return (await call('GET', '/v1/alerts/' + encodeURIComponent(id) + '/deliveries', storedKey())).deliveries || [];
}

// alertItem renders one alert: what it searches, how often, where it
// sends, its recent deliveries and a delete button that asks first.
function alertItem(a, deliveries, said, items) {
  const headId = 'alert-' + a.id;
  const st = queryState(a.query);
  const delivBox = h('div', { class: 'deliveries' });
  const actions = h('div', { class: 'alert-actions' });
  const li = h('li', { class: 'alert-item', dataset: { id: a.id } },
    h('article', { 'aria-labelledby': headId },
      h('h2', { id: headId }, a.name),
      h('dl', { class: 'alert-facts' },
        h('dt', null, 'Search'), h('dd', null, h('a', { href: searchURL(st), 'data-nav': '', class: 'alert-search' }, summary(st))),
        h('dt', null, 'Frequency'), h('dd', { class: 'alert-frequency' }, FREQ_LABEL[a.frequency] || a.frequency),
        h('dt', null, 'Webhook'), h('dd', { class: 'alert-host' }, webhookHost(a.webhook_url)),
        h('dt', null, 'Created'), h('dd', null, h('time', { datetime: a.created }, formatTime(a.created)))),
      delivBox,
      actions));
  let last = '';

  function show(ds) {
    const json = JSON.stringify(ds);
    if (json === last) return;
    last = json;
    clear(delivBox).appendChild(h('h3', { id: headId + '-d' }, 'Recent deliveries'));
    if (ds.length === 0) {
      delivBox.appendChild(h('p', { class: 'muted no-deliveries' }, 'None yet: new matching articles are sent as they are indexed.'));
      return;
    }
    delivBox.appendChild(h('div', { class: 'table-wrap' }, h('table', { class: 'deliveries-table', 'aria-labelledby': headId + '-d' },
      h('thead', null, h('tr', null, ['Status', 'Articles', 'Attempts', 'Last error', 'Time'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, ds.slice(0, SHOWN_DELIVERIES).map(deliveryRow)))));
  }
  show(deliveries);

  const del = h('button', { type: 'button', class: 'delete-alert', 'aria-label': 'Delete alert ' + a.name }, 'Delete');
  del.addEventListener('click', () => {
    const yes = h('button', { type: 'button', class: 'confirm-delete danger' }, 'Delete it');
    const no = h('button', { type: 'button', class: 'cancel-delete' }, 'Keep it');
    const out = h('span', { class: 'alert-out' });
    const ask = h('div', { class: 'confirm', role: 'group', 'aria-label': 'Confirm deletion' },
      h('span', null, `Delete "${a.name}"? Its webhook gets nothing more.`), yes, no, out);
    no.addEventListener('click', () => {
      clear(actions).appendChild(del);
      del.focus();
    });
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      clear(out);
      try {
        await call('DELETE', '/v1/alerts/' + encodeURIComponent(a.id), storedKey());
      } catch (err) {
        yes.disabled = false;
        if (keyRefused(err)) forgetKey();
        out.appendChild(notice(errorText(err), 'error'));
        return;
      }
      items.delete(a.id);
      const list = li.parentElement;
      li.remove();
      said.textContent = `Alert "${a.name}" deleted. ` + (items.size ? plural(items.size, 'alert') + ' left.' : 'No alerts left.');
      said.setAttribute('tabindex', '-1');
      said.focus();
      if (list && !list.firstChild) list.remove();
    });
    clear(actions).appendChild(ask);
    no.focus();
  });
  actions.appendChild(del);
  return { li, show };
}

function deliveryRow(d) {
  const when = d.done || d.first_attempt || d.created;
  let err = d.last_error || '';
  // The receiver's last answer, when it was not a success.
  if (d.last_status >= 300 && !err.includes(String(d.last_status))) err = (err ? err + ' ' : '') + `(HTTP ${d.last_status})`;
  const time = h('time', { datetime: when }, formatTime(when));
  const next = d.status === 'pending' && d.next_attempt ? h('span', { class: 'muted' }, ' · next try ', formatTime(d.next_attempt)) : null;
  return h('tr', { class: 'delivery', dataset: { status: d.status, id: d.delivery_id } },
    h('td', null, h('span', { class: ['delivery-status', 'st-' + d.status] }, STATUS_LABEL[d.status] || d.status)),
    h('td', { class: 'num' }, String((d.article_ids || []).length)),
    h('td', { class: 'num' }, String(d.attempts || 0)),
    h('td', { class: 'last-error' }, err || '—'),
    h('td', null, time, next));
}
