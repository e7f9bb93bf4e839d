// Volume-over-time chart: an SVG bar chart of the API's `published`
// histogram on a time axis: empty periods show as gaps, and long empty
// stretches are cut and marked. Each bar is an SVG link to the same search
// narrowed to that bucket's dates.

import { h, svg, clear, fmt, plural } from './dom.js';

const DAY = 86400000;

// INTERVALS from coarse to fine, as the API names them.
const INTERVALS = ['year', 'month', 'week', 'day'];

function ms(d) {
  return Date.parse(d + 'T00:00:00Z');
}

function isoDay(t) {
  return new Date(t).toISOString().slice(0, 10);
}

// inclusiveTo turns a bucket's exclusive end date into the inclusive `to`
// date the search API takes.
export function inclusiveTo(bucketTo) {
  return isoDay(ms(bucketTo) - DAY);
}

// intervalFor picks a histogram interval that gives a readable number of
// bars for the date range from..to (either may be empty).
export function intervalFor(from, to) {
  if (!from || !to) return 'month';
  const days = (ms(to) - ms(from)) / DAY + 1;
  if (!(days > 0)) return 'month';
  if (days <= 62) return 'day';
  if (days <= 366) return 'week';
  if (days <= 366 * 15) return 'month';
  return 'year';
}

// finer returns the next finer interval, or null after day.
export function finer(interval) {
  const i = INTERVALS.indexOf(interval);
  return i >= 0 && i < INTERVALS.length - 1 ? INTERVALS[i + 1] : null;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function dateLabel(d, interval) {
  const [y, m, day] = d.split('-');
  if (interval === 'year') return y;
  if (interval === 'month') return MONTHS[Number(m) - 1] + ' ' + y;
  return Number(day) + ' ' + MONTHS[Number(m) - 1] + ' ' + y;
}

// periodLabel names a bucket for people: "Mar 2019", "week of 4 Mar 2019".
export function periodLabel(b, interval) {
  if (interval === 'week') return 'week of ' + dateLabel(b.from, 'day');
  return dateLabel(b.from, interval);
}

// volumeChart returns a <figure> holding the chart of buckets. hrefFor(b)
// gives each bar's link. The SVG is drawn at the figure's width and redrawn
// when the window is resized.
export function volumeChart(buckets, { interval, hrefFor, caption, height = 150 }) {
  const fig = h('figure', { class: 'chart' });
  const box = h('div', { class: 'chart-box' });
  fig.appendChild(box);
  if (caption) fig.appendChild(h('figcaption', null, caption));
  // With count=related a bucket may hold only related hits.
  const valid = (buckets || []).filter((b) => b.from && b.to && b.count + (b.related || 0) > 0 && !Number.isNaN(ms(b.from)));
  if (valid.length === 0) {
    box.appendChild(h('p', { class: 'muted' }, 'No dated articles.'));
    return fig;
  }

  let lastWidth = 0;
  const draw = () => {
    const width = Math.max(260, Math.floor(box.clientWidth || 600));
    if (width === lastWidth) return;
    lastWidth = width;
    clear(box).appendChild(drawSVG(valid, { interval, hrefFor, width, height }));
  };
  let pending = 0;
  const onResize = () => {
    if (!fig.isConnected) {
      window.removeEventListener('resize', onResize);
      return;
    }
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(draw);
  };
  window.addEventListener('resize', onResize);
  // Drawn once the figure is in the document and has a width.
  requestAnimationFrame(() => {
    if (fig.isConnected) draw();
  });
  return fig;
}

// slotsBetween counts the empty periods between the end of one bucket and
// the start of the next.
function slotsBetween(endDay, startDay, interval) {
  const a = new Date(ms(endDay));
  const b = new Date(ms(startDay));
  switch (interval) {
    case 'day': return Math.round((b - a) / DAY);
    case 'week': return Math.round((b - a) / (7 * DAY));
    case 'year': return b.getUTCFullYear() - a.getUTCFullYear();
    default: return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();
  }
}

// MAX_GAP is the most empty periods drawn to scale; a longer gap is cut to
// this width and marked with a break, so one old article does not squeeze
// a year of news into a corner.
const MAX_GAP = 2;

// layout places the buckets on a time axis in period units, cutting long
// gaps. It returns each bucket's unit, the cuts and the total units.
function layout(buckets, interval) {
  const units = [];
  const cuts = [];
  let u = 0;
  buckets.forEach((b, i) => {
    if (i > 0) {
      const gap = slotsBetween(buckets[i - 1].to, b.from, interval);
      if (gap > MAX_GAP) {
        cuts.push({ at: u + MAX_GAP / 2, before: i });
        u += MAX_GAP;
      } else if (gap > 0) {
        u += gap;
      }
    }
    units.push(u);
    u += 1;
  });
  return { units, cuts, total: u };
}

function drawSVG(buckets, { interval, hrefFor, width, height }) {
  const m = { top: 12, right: 10, bottom: 24, left: 40 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const { units, cuts, total: nUnits } = layout(buckets, interval);
  const unit = pw / nUnits;
  // Related hits (count=related) stack above the matches in a lighter
  // shade; the scale covers both.
  const stacked = (b) => b.count + (b.related || 0);
  const max = Math.max(...buckets.map(stacked));
  const x = (u) => m.left + u * unit;
  const y = (n) => m.top + ph - (n / max) * ph;
  const total = buckets.reduce((s, b) => s + b.count, 0);
  const related = buckets.reduce((s, b) => s + (b.related || 0), 0);

  const root = svg('svg', {
    class: 'volume',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'group',
    'aria-label': `Articles over time: ${plural(total, 'article')}${related ? ` and ${plural(related, 'related result')}` : ''} in ${plural(buckets.length, 'period')}, most in one period ${fmt(max)}`,
  });
  // Axes and gridlines.
  for (const frac of [0, 0.5, 1]) {
    const n = Math.round(max * frac);
    if (frac === 0.5 && (n === 0 || n === max)) continue;
    const yy = y(n) + 0.5;
    root.appendChild(svg('line', { class: frac === 0 ? 'axis' : 'grid', x1: m.left, x2: width - m.right, y1: yy, y2: yy }));
    root.appendChild(svg('text', { class: 'tick', x: m.left - 6, y: yy + 4, 'text-anchor': 'end' }, fmt(n)));
  }
  // Date labels: the first bucket, the end, the first bucket after each
  // cut, then any other bucket, wherever they fit without overlap.
  const drawn = [];
  const label = (u, text, anchor) => {
    const px = x(u);
    const w = text.length * 6.5;
    const left = anchor === 'end' ? px - w : px;
    if (drawn.some((d) => d.text === text || (left < d.right + 8 && left + w > d.left - 8))) return;
    drawn.push({ text, left, right: left + w });
    root.appendChild(svg('text', { class: 'tick', x: px, y: height - 6, 'text-anchor': anchor }, text));
  };
  label(0, dateLabel(buckets[0].from, interval), 'start');
  label(nUnits, dateLabel(inclusiveTo(buckets[buckets.length - 1].to), interval === 'week' ? 'day' : interval), 'end');
  for (const c of cuts) label(units[c.before], dateLabel(buckets[c.before].from, interval), 'start');
  buckets.forEach((b, i) => label(units[i], dateLabel(b.from, interval), 'start'));
  // Breaks where a long empty stretch was cut.
  for (const c of cuts) {
    const cx = x(c.at);
    const yb = m.top + ph;
    root.appendChild(svg('path', { class: 'cut', d: `M${cx - 4} ${yb + 5} L${cx} ${yb - 5} M${cx} ${yb + 5} L${cx + 4} ${yb - 5}` }));
  }

  const bars = svg('g', { class: 'bars' });
  buckets.forEach((b, i) => {
    const bx = x(units[i]);
    const bw = Math.max(2, unit - (unit > 6 ? Math.min(4, unit * 0.15) : 0.5));
    const what = `${periodLabel(b, interval)}: ${plural(b.count, 'article')}${b.related ? `, +${fmt(b.related)} related` : ''}`;
    const link = svg('a', { href: hrefFor(b), class: 'bar', 'aria-label': what + '. Show this period', dataset: { nav: '', from: b.from, to: b.to, count: b.count } });
    link.appendChild(svg('title', null, what));
    // A full-height transparent column makes thin bars easy to hit.
    link.appendChild(svg('rect', { class: 'hit', x: bx, y: m.top, width: bw, height: ph }));
    if (b.count > 0) link.appendChild(svg('rect', { class: 'fill', x: bx, y: y(b.count), width: bw, height: Math.max(1, m.top + ph - y(b.count)) }));
    if (b.related > 0) link.appendChild(svg('rect', { class: 'fill-related', x: bx, y: y(stacked(b)), width: bw, height: Math.max(1, y(b.count) - y(stacked(b))) }));
    bars.appendChild(link);
  });
  root.appendChild(bars);
  return root;
}

// SERIES_STYLES tell the series of a timeline apart by more than colour,
// for readers who do not see it and for print: each has a colour (an
// Okabe-Ito palette, safe for colour-blind readers, set in app.css by
// class), a dash pattern and a marker shape.
const SERIES_STYLES = [
  { dash: null, marker: 'circle' },
  { dash: '7 4', marker: 'square' },
  { dash: '2 3', marker: 'triangle' },
  { dash: '9 3 2 3', marker: 'diamond' },
  { dash: '4 2 1 2 1 2', marker: 'cross' },
  { dash: '12 4', marker: 'circle' },
  { dash: '1 4', marker: 'square' },
  { dash: '5 5', marker: 'triangle' },
];

// styleOf is the style of the i-th series.
function styleOf(i) {
  return { cls: 's' + (i % SERIES_STYLES.length), ...SERIES_STYLES[i % SERIES_STYLES.length] };
}

// marker draws shape centred on (x, y) with radius r.
function marker(shape, x, y, r, props) {
  switch (shape) {
    case 'square': return svg('rect', { ...props, x: x - r, y: y - r, width: 2 * r, height: 2 * r });
    case 'triangle': return svg('path', { ...props, d: `M${x} ${y - r * 1.2} L${x + r * 1.1} ${y + r * 0.8} L${x - r * 1.1} ${y + r * 0.8} Z` });
    case 'diamond': return svg('path', { ...props, d: `M${x} ${y - r * 1.3} L${x + r * 1.3} ${y} L${x} ${y + r * 1.3} L${x - r * 1.3} ${y} Z` });
    case 'cross': return svg('path', { ...props, d: `M${x - r} ${y - r} L${x + r} ${y + r} M${x - r} ${y + r} L${x + r} ${y - r}` });
    default: return svg('circle', { ...props, cx: x, cy: y, r });
  }
}

// swatch is a legend's small picture of series i: its line and marker.
function swatch(i) {
  const s = styleOf(i);
  return svg('svg', { class: ['swatch', s.cls], width: 34, height: 14, viewBox: '0 0 34 14', 'aria-hidden': 'true' },
    svg('line', { class: 'line', x1: 1, x2: 33, y1: 7, y2: 7, 'stroke-dasharray': s.dash }),
    marker(s.marker, 17, 7, 4, { class: 'pt' }));
}

// pct shows a share as a percentage: 0.1234 as "12.3%".
export function pct(share) {
  const p = share * 100;
  return (p === 0 ? '0' : p < 0.1 ? p.toFixed(2) : p.toFixed(1)) + '%';
}

// seriesChart returns a <figure> with a line chart of a /v1/timeline
// answer (tl: {interval, series: [{label, total, buckets}]}) and its
// legend. measure is 'count' or 'share' (count/all); axisLabel says what
// the values are. hrefFor(b) links each period to the search narrowed to
// it. Like volumeChart it is drawn at the figure's width.
export function seriesChart(tl, { measure, axisLabel, hrefFor, caption, height = 190 }) {
  const fig = h('figure', { class: ['chart', 'series-chart'], dataset: { measure, interval: tl.interval } });
  const series = tl.series || [];
  const legend = h('ul', { class: 'legend', 'aria-label': 'Series' }, series.map((s, i) => h('li', {
    dataset: { label: s.label, total: s.total, q: s.q, value: s.value || '' },
  }, swatch(i), h('span', { class: 'label' }, s.label), ' ', h('span', { class: 'total' }, '(' + plural(s.total, 'article') + ')'))));
  const box = h('div', { class: 'chart-box' });
  fig.append(legend, box);
  if (caption) fig.appendChild(h('figcaption', null, caption));
  const keys = series.length ? series[0].buckets || [] : [];
  if (series.length === 0 || keys.length === 0) {
    box.appendChild(h('p', { class: 'muted' }, series.length === 0 ? 'Nothing to split: no article has a value.' : 'No dated articles.'));
    return fig;
  }
  let lastWidth = 0;
  const draw = () => {
    const width = Math.max(260, Math.floor(box.clientWidth || 600));
    if (width === lastWidth) return;
    lastWidth = width;
    clear(box).appendChild(drawSeries(series, { interval: tl.interval, measure, axisLabel, hrefFor, width, height }));
  };
  let pending = 0;
  const onResize = () => {
    if (!fig.isConnected) {
      window.removeEventListener('resize', onResize);
      return;
    }
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(draw);
  };
  window.addEventListener('resize', onResize);
  requestAnimationFrame(() => {
    if (fig.isConnected) draw();
  });
  return fig;
}

function drawSeries(series, { interval, measure, axisLabel, hrefFor, width, height }) {
  const m = { top: 22, right: 12, bottom: 24, left: 52 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const buckets = series[0].buckets;
  const n = buckets.length;
  const unit = pw / n;
  const share = measure === 'share';
  const val = (b) => (share ? b.share : b.count);
  let max = 0;
  for (const s of series) for (const b of s.buckets) max = Math.max(max, val(b));
  if (!(max > 0)) max = share ? 0.01 : 1;
  const x = (i) => m.left + (i + 0.5) * unit;
  const y = (v) => m.top + ph - (v / max) * ph;
  const show = (v) => (share ? pct(v) : fmt(v));

  const root = svg('svg', {
    class: ['volume', 'series'], width, height, viewBox: `0 0 ${width} ${height}`, role: 'group',
    'aria-label': `${share ? 'Share' : 'Articles'} over time by ${interval}: ` + series.map((s) => `${s.label}, ${plural(s.total, 'article')}`).join('; '),
  });
  root.appendChild(svg('text', { class: 'axis-label', x: 4, y: 12 }, axisLabel));
  for (const frac of [0, 0.5, 1]) {
    const v = share ? max * frac : Math.round(max * frac);
    if (frac === 0.5 && !share && (v === 0 || v === max)) continue;
    const yy = y(v) + 0.5;
    root.appendChild(svg('line', { class: frac === 0 ? 'axis' : 'grid', x1: m.left, x2: width - m.right, y1: yy, y2: yy }));
    root.appendChild(svg('text', { class: 'tick', x: m.left - 6, y: yy + 4, 'text-anchor': 'end' }, show(v)));
  }
  // Date labels wherever they fit, the first and last first.
  const drawn = [];
  const label = (i) => {
    const text = dateLabel(buckets[i].from, interval === 'week' ? 'day' : interval);
    const w = text.length * 6.5;
    const left = Math.min(Math.max(x(i) - w / 2, m.left - 10), width - w);
    if (drawn.some((d) => left < d.right + 10 && left + w > d.left - 10)) return;
    drawn.push({ left, right: left + w });
    root.appendChild(svg('text', { class: 'tick', x: left, y: height - 6 }, text));
  };
  label(0);
  if (n > 1) label(n - 1);
  for (let i = 1; i < n - 1; i++) label(i);

  // A column per period links to the search narrowed to it.
  const cols = svg('g', { class: 'periods' });
  buckets.forEach((b, i) => {
    const what = periodLabel(b, interval) + ': ' + series.map((s) => `${s.label} ${show(val(s.buckets[i]))}`).join(', ');
    const a = svg('a', { href: hrefFor(b), class: 'period', 'aria-label': what + '. Show this period', dataset: { nav: '', from: b.from, to: b.to } });
    a.appendChild(svg('title', null, what));
    a.appendChild(svg('rect', { class: 'hit', x: m.left + i * unit, y: m.top, width: unit, height: ph }));
    cols.appendChild(a);
  });
  root.appendChild(cols);

  series.forEach((s, si) => {
    const st = styleOf(si);
    const g = svg('g', { class: ['line-series', st.cls], dataset: { label: s.label, total: s.total, value: s.value || '' } });
    // A share of a period without any article (all = 0) is undefined:
    // the line breaks there instead of dropping to 0%.
    const defined = (b) => !share || b.all > 0;
    let d = '';
    s.buckets.forEach((b, i) => {
      if (!defined(b)) return;
      d += `${i > 0 && defined(s.buckets[i - 1]) ? 'L' : 'M'}${x(i).toFixed(1)} ${y(val(b)).toFixed(1)} `;
    });
    g.appendChild(svg('path', { class: 'line', d: d.trim() || 'M0 0', 'stroke-dasharray': st.dash }));
    // Markers only where they do not crowd each other.
    const r = unit >= 9 ? 3.5 : unit >= 4 ? 2 : 0;
    s.buckets.forEach((b, i) => {
      const props = { class: 'pt', dataset: { key: b.key, count: b.count, all: b.all, share: b.share } };
      const pt = r > 0 && defined(b) ? marker(st.marker, x(i), y(val(b)), r, props) : svg('circle', { ...props, cx: x(i), cy: y(val(b)), r: 0 });
      pt.appendChild(svg('title', null, `${s.label}, ${periodLabel(b, interval)}: ${plural(b.count, 'article')} of ${fmt(b.all)} (${pct(b.share)})`));
      g.appendChild(pt);
    });
    root.appendChild(g);
  });
  return root;
}
