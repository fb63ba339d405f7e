// The search screen (Discover-like). The whole search state lives in the URL hash:
// #/search?is=<index set>&q=<query>&from=<start>&to=<end>&add=<addition JSON>&b=<begin>&tab=hits|patterns
// and, past the 10,000-line window, &after=<JSON list of cursors>: the sort_values of the last hit of each page
// from the window's last page on (search_after), so "Older" keeps going and "Newer" steps back.
import { h, api, go, marked, fmtTime, pretty, download, fileName, toast, token, ApiError, errorBox, table } from './core.js';

const PAGE = 50;
const WINDOW = 10000;
const QUICK = [['now-15m', 'Last 15 minutes'], ['now-1h', 'Last hour'], ['now-4h', 'Last 4 hours'],
  ['now-24h', 'Last 24 hours'], ['now-7d', 'Last 7 days'], ['now-30d', 'Last 30 days']];

function stateOf(params, sets) {
  const is = params.get('is') || (sets[0] && sets[0].name) || '';
  let add = [];
  try { add = JSON.parse(params.get('add') || '[]'); } catch (e) { add = []; }
  let after = [];
  try { after = JSON.parse(params.get('after') || '[]'); } catch (e) { after = []; }
  if (!Array.isArray(after) || !after.every(Array.isArray)) after = [];
  let b = Math.max(0, parseInt(params.get('b') || '0', 10) || 0);
  if (!after.length) b = Math.min(b, WINDOW - PAGE);
  return { is, q: params.get('q') || '', from: params.get('from') || 'now-15m', to: params.get('to') || 'now',
    add, b, after, tab: params.get('tab') || 'hits' };
}

function paramsOf(s) {
  const p = new URLSearchParams();
  p.set('is', s.is);
  if (s.q) p.set('q', s.q);
  p.set('from', s.from);
  p.set('to', s.to);
  if (s.add.length) p.set('add', JSON.stringify(s.add));
  if (s.b) p.set('b', String(s.b));
  if (s.after && s.after.length) p.set('after', JSON.stringify(s.after));
  if (s.tab !== 'hits') p.set('tab', s.tab);
  return p;
}

function body(s, extra) {
  return Object.assign({ keyword: s.q || '*', addition: s.add.map((a) => ({ field: a.field, operator: a.operator,
    value: a.value, condition: 'and' })), start_time: s.from, end_time: s.to }, extra || {});
}

/** The search request of a state: one page of hits with highlights and the histogram of the range. */
function searchOf(s) {
  const page = s.after.length ? { begin: 0, search_after: s.after[s.after.length - 1] } : { begin: s.b };
  return api('POST', `/api/v1/index_sets/${encodeURIComponent(s.is)}/search`, body(s, Object.assign(page, {
    size: PAGE, highlight: true, aggs: { histogram: { interval: 'auto' } } })));
}

export async function searchScreen(main, params) {
  // the first search of a URL naming its index set starts now, beside the list of index sets instead of after
  // it (docs/ui.md, performance budget); run() takes its answer if the state is still the same
  const first = stateOf(params, []);
  let early = first.is && first.tab === 'hits' ? searchOf(first) : null;
  if (early) early.catch(() => {}); // an error is shown by run(), which awaits it
  const sets = (await api('GET', '/api/v1/index_sets')).index_sets;
  if (!sets.length) {
    main.replaceChildren(h('h1', {}, 'Search'), h('p', {}, 'No index set in your space yet. ',
      h('a', { href: '#/index_sets' }, 'Create one'), '.'));
    return null;
  }
  let s = stateOf(params, sets);
  let set = sets.find((x) => x.name === s.is) || sets[0];
  let seq = 0;       // answers of an older search are dropped
  let tail = null;   // the open tail stream's AbortController

  // ---- the static frame ----
  const picker = h('select', { id: 'index-set' }, sets.map((x) => h('option', { value: x.name }, x.name)));
  const query = h('input', { id: 'query', type: 'search', class: 'query', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'e.g. log:error AND serverIp:10.0.0.1', 'aria-describedby': 'query-error' });
  const quick = h('select', { id: 'quick-range' }, h('option', { value: '' }, 'Absolute…'),
    QUICK.map(([v, l]) => h('option', { value: v }, l)));
  const from = h('input', { id: 'from', size: 22, autocomplete: 'off' });
  const to = h('input', { id: 'to', size: 22, autocomplete: 'off' });
  const queryError = h('div', { id: 'query-error', 'aria-live': 'assertive' });
  const chips = h('div', { class: 'chips', 'aria-label': 'Filters' });
  const histo = h('div', { id: 'histogram-box' });
  const summary = h('p', { class: 'muted', id: 'summary', 'aria-live': 'polite' });
  const results = h('div', { id: 'results' });
  const pager = h('div', { class: 'pager' });
  const side = h('div', {});
  const panel = h('div', { id: 'panel' });
  const tabs = h('div', { class: 'tabs', role: 'tablist' });
  const favSel = h('select', { id: 'favorites' });
  const histSel = h('select', { id: 'history' });

  const form = h('form', { class: 'card', role: 'search' },
    h('div', { class: 'row' },
      h('label', {}, 'Index set', picker),
      h('label', { class: 'grow' }, 'Query', query),
      h('button', { class: 'primary', type: 'submit' }, 'Search')),
    h('div', { class: 'row' },
      h('label', {}, 'Time range', quick), h('label', {}, 'From', from), h('label', {}, 'To', to),
      h('label', {}, 'Favorites', favSel), h('label', {}, 'History', histSel),
      h('button', { type: 'button', id: 'save-favorite', onclick: saveFavorite }, 'Save search')),
    queryError, chips);
  const tools = h('div', { class: 'row' },
    h('button', { type: 'button', id: 'tail-toggle', onclick: toggleTail }, 'Live tail'),
    h('button', { type: 'button', id: 'export-csv', onclick: () => exportSync('csv') }, 'Export CSV'),
    h('button', { type: 'button', id: 'export-jsonl', onclick: () => exportSync('jsonl') }, 'Export JSON lines'),
    h('button', { type: 'button', id: 'export-async', onclick: exportAsync }, 'Export all (async)'));
  main.replaceChildren(h('h1', { class: 'visually-hidden' }, 'Search'), form,
    h('div', { class: 'search' },
      h('aside', { class: 'sidebar card', 'aria-labelledby': 'fields-title' }, h('h2', { id: 'fields-title' }, 'Fields'), side),
      h('section', { 'aria-label': 'Results' }, histo, tabs, tools, panel, summary, results, pager)));

  form.onsubmit = (e) => { e.preventDefault(); navigate({ q: query.value, from: from.value.trim() || 'now-15m', to: to.value.trim() || 'now', b: 0, is: picker.value }); };
  picker.onchange = () => navigate({ is: picker.value, add: [], b: 0 });
  quick.onchange = () => { if (quick.value) navigate({ from: quick.value, to: 'now', b: 0 }); };
  favSel.onchange = () => {
    const f = favorites.find((x) => String(x.id) === favSel.value);
    if (f) navigate({ is: f.index_set, q: f.keyword || '', from: f.start_time || 'now-15m', to: f.end_time || 'now',
      add: (f.addition || []).map((a) => ({ field: a.field, operator: a.operator, value: a.value })), b: 0 });
  };
  histSel.onchange = () => { if (histSel.value) navigate({ q: histSel.value, b: 0 }); };

  function navigate(change) {
    // the cursors of deep pages belong to one search: any other change starts from the window again
    go('search', paramsOf(Object.assign({}, s, { after: [] }, change)));
  }

  let favorites = [];
  async function loadLists() {
    try {
      favorites = (await api('GET', '/api/v1/favorites')).favorites || [];
      favSel.replaceChildren(h('option', { value: '' }, favorites.length ? 'Open a favorite…' : 'none saved'),
        ...favorites.map((f) => h('option', { value: String(f.id) }, f.name + ' (' + f.index_set + ')')));
    } catch (e) { favSel.replaceChildren(h('option', { value: '' }, 'unavailable')); }
    try {
      const hist = (await api('GET', `/api/v1/index_sets/${encodeURIComponent(s.is)}/search_history?limit=20`));
      const items = hist.history || [];
      histSel.replaceChildren(h('option', { value: '' }, items.length ? 'Recent searches…' : 'none yet'),
        ...items.map((x) => h('option', { value: x.keyword || '' }, x.keyword || '*')));
    } catch (e) { histSel.replaceChildren(h('option', { value: '' }, 'unavailable')); }
  }

  async function saveFavorite() {
    const name = h('input', { id: 'favorite-name', required: true });
    const f = h('form', { class: 'row' }, h('label', {}, 'Favorite name', name),
      h('button', { class: 'primary', type: 'submit' }, 'Save'),
      h('button', { type: 'button', onclick: () => panel.replaceChildren() }, 'Cancel'));
    f.onsubmit = async (e) => {
      e.preventDefault();
      try {
        await api('POST', '/api/v1/favorites', { name: name.value, index_set: s.is, keyword: s.q || '*',
          addition: body(s).addition, start_time: s.from, end_time: s.to });
        panel.replaceChildren(h('p', { class: 'ok', role: 'status' }, `Saved “${name.value}”.`));
        loadLists();
      } catch (ex) { f.append(errorBox(ex)); }
    };
    panel.replaceChildren(h('div', { class: 'panel' }, f));
    name.focus();
  }

  // ---- one search: hits + histogram, fields ----
  async function run() {
    const my = ++seq;
    stopTail();
    set = sets.find((x) => x.name === s.is) || sets[0];
    picker.value = set.name;
    query.value = s.q;
    from.value = s.from;
    to.value = s.to;
    quick.value = QUICK.some(([v]) => v === s.from) && s.to === 'now' ? s.from : '';
    renderChips();
    renderSide();
    renderTabs();
    queryError.replaceChildren();
    query.removeAttribute('aria-invalid');
    if (s.tab === 'patterns') return patterns(my);
    summary.textContent = 'Searching…';
    const started = performance.now();
    let r;
    try {
      const same = early && set.name === first.is && paramsOf(s).toString() === paramsOf(first).toString();
      const pending = same ? early : null;
      early = null;
      r = await (pending || searchOf(Object.assign({}, s, { is: set.name })));
    } catch (ex) {
      if (my !== seq) return;
      showError(ex);
      return;
    }
    if (my !== seq) return;
    drawHistogram(r.aggregations && r.aggregations.histogram);
    drawHits(r);
    const ms = Math.round(performance.now() - started);
    summary.textContent = `${r.total.toLocaleString('en')} hits · server ${r.took} ms · page ${ms} ms`;
    document.body.dataset.searchMs = String(ms);
    // time from the navigation's start to the first hits on screen (docs/ui.md, performance budget)
    if (!document.body.dataset.firstRenderMs) document.body.dataset.firstRenderMs = String(Math.round(performance.now()));
    loadLists();
  }

  function showError(ex) {
    summary.textContent = '';
    results.replaceChildren();
    pager.replaceChildren();
    histo.replaceChildren();
    const b = ex.body || {};
    const parts = [h('strong', {}, (b.error || 'error') + ': '), ex.message];
    if (typeof b.position === 'number') {
      const q = s.q;
      parts.push(h('pre', { class: 'caret', 'aria-hidden': 'true' }, q + '\n' + ' '.repeat(b.position) + '^'));
      query.setAttribute('aria-invalid', 'true');
      query.focus();
      query.setSelectionRange(b.position, Math.min(q.length, b.position + 1) || b.position);
    } else if (b.field === 'keyword') {
      query.setAttribute('aria-invalid', 'true');
    }
    queryError.replaceChildren(h('div', { class: 'error', role: 'alert' }, parts));
  }

  function renderTabs() {
    const tab = (id, label) => h('button', { type: 'button', role: 'tab', id: 'tab-' + id,
      'aria-selected': String(s.tab === id), onclick: () => navigate({ tab: id, b: 0 }) }, label);
    tabs.replaceChildren(tab('hits', 'Hits'), tab('patterns', 'Patterns'));
  }

  function renderChips() {
    chips.replaceChildren(...s.add.map((a, i) => h('span', { class: 'chip' },
      `${a.field} ${a.operator} ${a.value.join(', ')}`,
      h('button', { type: 'button', class: 'link', 'aria-label': `Remove filter ${a.field} ${a.operator} ${a.value.join(', ')}`,
        onclick: () => navigate({ add: s.add.filter((_, j) => j !== i), b: 0 }) }, '×'))));
  }

  // ---- histogram with drag-to-select ----
  function drawHistogram(hg) {
    if (!hg || !hg.buckets || !hg.buckets.length) { histo.replaceChildren(); return; }
    const NS = 'http://www.w3.org/2000/svg';
    const W = 1000, H = 90;
    const buckets = hg.buckets;
    const max = Math.max(1, ...buckets.map((b) => b.count));
    const bw = W / buckets.length;
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('class', 'histogram');
    svg.setAttribute('id', 'histogram');
    svg.setAttribute('role', 'img');
    const total = buckets.reduce((a, b) => a + b.count, 0);
    svg.setAttribute('aria-label', `Hits over time: ${total} in ${buckets.length} buckets from ${fmtTime(buckets[0].start)}; drag to select a range`);
    buckets.forEach((b, i) => {
      const r = document.createElementNS(NS, 'rect');
      const bh = (b.count / max) * (H - 4);
      r.setAttribute('class', 'bar');
      r.setAttribute('x', String(i * bw + 0.5));
      r.setAttribute('y', String(H - bh));
      r.setAttribute('width', String(Math.max(0.5, bw - 1)));
      r.setAttribute('height', String(bh));
      const t = document.createElementNS(NS, 'title');
      t.textContent = `${fmtTime(b.start)}: ${b.count}`;
      r.append(t);
      svg.append(r);
    });
    const sel = document.createElementNS(NS, 'rect');
    sel.setAttribute('class', 'sel');
    sel.setAttribute('y', '0');
    sel.setAttribute('height', String(H));
    sel.setAttribute('width', '0');
    svg.append(sel);
    const stepMs = buckets.length > 1 ? Date.parse(buckets[1].start) - Date.parse(buckets[0].start)
      : (hg.interval || 60) * 1000;
    const t0 = Date.parse(buckets[0].start);
    const xAt = (ev) => {
      const box = svg.getBoundingClientRect();
      return Math.min(W, Math.max(0, ((ev.clientX - box.left) / box.width) * W));
    };
    let x0 = null;
    svg.addEventListener('pointerdown', (ev) => { x0 = xAt(ev); svg.setPointerCapture(ev.pointerId); });
    svg.addEventListener('pointermove', (ev) => {
      if (x0 === null) return;
      const x1 = xAt(ev);
      sel.setAttribute('x', String(Math.min(x0, x1)));
      sel.setAttribute('width', String(Math.abs(x1 - x0)));
    });
    svg.addEventListener('pointerup', (ev) => {
      if (x0 === null) return;
      const x1 = xAt(ev);
      const a = Math.min(x0, x1), b = Math.max(x0, x1);
      x0 = null;
      if (b - a < 3) { sel.setAttribute('width', '0'); return; }
      const ms = (x) => t0 + (x / bw) * stepMs;
      navigate({ from: new Date(Math.floor(ms(a))).toISOString(), to: new Date(Math.ceil(ms(b))).toISOString(), b: 0 });
    });
    histo.replaceChildren(svg);
  }

  // ---- hit list ----
  const textField = () => (set.fields.find((f) => f.type === 'text') || { name: 'log' }).name;

  function drawHits(r) {
    const tf = set.time_field, msg = textField();
    const rows = [];
    r.hits.forEach((hit, i) => {
      const src = hit.source || {};
      const hl = (hit.highlights || {})[msg];
      const text = hl && hl.length ? hl.join(' … ') : (src[msg] !== undefined ? String(src[msg]) : JSON.stringify(src));
      const expand = h('button', { type: 'button', class: 'link expand', 'aria-expanded': 'false',
        'aria-controls': 'hit-detail-' + i, 'aria-label': 'Show document ' + (s.b + i + 1) }, '▸');
      const tr = h('tr', { class: 'hit' }, h('td', {}, expand), h('td', { class: 'time' }, fmtTime(src[tf])),
        h('td', { class: 'hide-sm' }, src.serverIp || ''), h('td', { class: 'msg' }, marked(text)));
      const detail = h('tr', { class: 'detail', id: 'hit-detail-' + i, hidden: true },
        h('td', { colspan: 4 }, detailOf(hit)));
      expand.onclick = () => {
        const open = detail.hidden;
        detail.hidden = !open;
        expand.setAttribute('aria-expanded', String(open));
        expand.textContent = open ? '▾' : '▸';
      };
      rows.push(tr, detail);
    });
    results.replaceChildren(r.hits.length ? h('div', { class: 'scroll' }, h('table', { class: 'hits', 'aria-label': 'Hits' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Expand')),
        h('th', { scope: 'col' }, 'Time'), h('th', { scope: 'col', class: 'hide-sm' }, 'serverIp'),
        h('th', { scope: 'col' }, msg))),
      h('tbody', {}, rows))) : h('p', {}, 'No hits.'));
    const last = Math.min(r.total, s.b + r.hits.length);
    // inside the window a page is "begin"; from the window's end on, each page is search_after the last hit of the
    // page before (the cursors are kept in the URL, so Newer and the back button step back exactly)
    const canNext = r.hits.length === PAGE && s.b + PAGE < r.total;
    const older = () => {
      const lastHit = r.hits[r.hits.length - 1];
      if (s.after.length || s.b + 2 * PAGE > WINDOW) navigate({ b: s.b + PAGE, after: s.after.concat([lastHit.sort_values]) });
      else navigate({ b: s.b + PAGE });
    };
    const newer = () => navigate(s.after.length ? { b: s.b - PAGE, after: s.after.slice(0, -1) } : { b: Math.max(0, s.b - PAGE) });
    pager.replaceChildren(
      h('button', { type: 'button', id: 'prev-page', disabled: s.b === 0, onclick: newer }, '‹ Newer'),
      h('span', { id: 'page-info' }, r.total ? `${(s.b + 1).toLocaleString('en')}–${last.toLocaleString('en')} of ${r.total.toLocaleString('en')}` : ''),
      h('button', { type: 'button', id: 'next-page', disabled: !canNext, onclick: older }, 'Older ›'));
  }

  function detailOf(hit) {
    const json = pretty(hit.source);
    const copy = h('button', { type: 'button', class: 'copy-json' }, 'Copy as JSON');
    copy.onclick = async () => {
      try {
        await navigator.clipboard.writeText(json);
      } catch (e) {
        const ta = h('textarea', {}, json);
        document.body.append(ta);
        ta.select();
        document.execCommand('copy');
        ta.remove();
      }
      toast('Copied the document as JSON');
    };
    const ctx = h('button', { type: 'button', class: 'show-context', onclick: () => context(hit) }, 'View in context');
    return h('div', {}, h('div', { class: 'row' }, copy, ctx), h('pre', { class: 'json' }, json));
  }

  // ---- context ----
  async function context(hit) {
    const src = hit.source;
    const box = h('div', { class: 'panel', id: 'context', role: 'region', 'aria-label': 'Context' },
      h('div', { class: 'row' }, h('h2', {}, 'Context'),
        h('button', { type: 'button', onclick: () => panel.replaceChildren() }, 'Close')), h('p', {}, 'Loading…'));
    panel.replaceChildren(box);
    try {
      const r = await api('POST', `/api/v1/index_sets/${encodeURIComponent(set.name)}/context`, {
        server_ip: src.serverIp, path: src.path, dt_event_time_stamp: src[set.time_field],
        gse_index: src.gseIndex, iteration_index: src.iterationIndex, size: 10 });
      const msg = textField();
      const line = (x, here) => h('div', { class: here ? 'here' : null },
        fmtTime(x.source[set.time_field]) + '  ' + (x.source[msg] !== undefined ? x.source[msg] : JSON.stringify(x.source)));
      box.lastChild.replaceWith(h('div', { class: 'lines' }, r.before.map((x) => line(x)), line(hit, true), r.after.map((x) => line(x))));
      box.querySelector('.here').scrollIntoView({ block: 'center' });
    } catch (ex) { box.lastChild.replaceWith(errorBox(ex)); }
  }

  // ---- live tail (SSE read with fetch: EventSource cannot send the bearer token) ----
  function stopTail() {
    if (tail) { tail.abort(); tail = null; }
    const b = document.getElementById('tail-toggle');
    if (b) b.textContent = 'Live tail';
  }

  async function toggleTail() {
    if (tail) { stopTail(); return; }
    const ctrl = new AbortController();
    tail = ctrl;
    document.getElementById('tail-toggle').textContent = 'Stop tail';
    const lines = h('div', { class: 'lines', id: 'tail-lines', 'aria-live': 'polite' });
    const status = h('p', { class: 'muted', id: 'tail-status' }, 'Connecting…');
    panel.replaceChildren(h('div', { class: 'panel', role: 'region', 'aria-label': 'Live tail' }, h('h2', {}, 'Live tail'), status, lines));
    const qs = new URLSearchParams({ keyword: s.q || '*', since: 'now-5m' });
    if (s.add.length) qs.set('addition', JSON.stringify(body(s).addition));
    const msg = textField();
    let n = 0;
    try {
      const r = await fetch(`/api/v1/index_sets/${encodeURIComponent(set.name)}/tail?${qs}`, {
        headers: { Authorization: 'Bearer ' + token() }, signal: ctrl.signal });
      if (!r.ok) { let b = null; try { b = await r.json(); } catch (e) { /* */ } throw new ApiError(r.status, b); }
      const reader = r.body.getReader();
      const dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const ev = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let type = 'message', data = '';
          for (const l of ev.split('\n')) {
            if (l.startsWith('event:')) type = l.slice(6).trim();
            else if (l.startsWith('data:')) data += l.slice(5).trim();
          }
          if (type === 'line') {
            const d = JSON.parse(data);
            n++;
            lines.append(h('div', { class: 'tail-line' }, fmtTime(d[set.time_field]) + '  ' + (d[msg] !== undefined ? d[msg] : data)));
            while (lines.childElementCount > 1000) lines.firstChild.remove();
            lines.scrollTop = lines.scrollHeight;
            status.textContent = `${n} lines · following`;
          } else if (type === 'caught_up') {
            status.textContent = `${n} lines · following`;
          } else if (type === 'error') {
            status.textContent = 'error: ' + data;
          }
        }
      }
      status.textContent = `${n} lines · stream ended`;
    } catch (ex) {
      if (ex.name !== 'AbortError') status.replaceWith(errorBox(ex));
      else status.textContent = `${n} lines · stopped`;
    } finally {
      if (tail === ctrl) stopTail();
    }
  }

  // ---- export ----
  async function exportSync(type) {
    try {
      const r = await api('POST', `/api/v1/index_sets/${encodeURIComponent(set.name)}/export?file_type=${type}`, body(s),
        { raw: true, timeout: 120000 });
      const name = fileName(r, `bk_log_search_${set.name}.${type === 'csv' ? 'csv' : 'log'}`);
      download(await r.blob(), name);
      const truncated = r.headers.get('X-Bklog-Truncated');
      toast(truncated ? `Exported the first 10,000 of ${r.headers.get('X-Bklog-Total')} lines; use Export all` : `Exported ${name}`);
    } catch (ex) { panel.replaceChildren(errorBox(ex)); }
  }

  async function exportAsync() {
    const bar = h('progress', { id: 'export-progress', max: '1', value: '0' });
    const status = h('span', { id: 'export-status' }, 'starting…');
    const box = h('div', { class: 'panel', role: 'region', 'aria-label': 'Export' }, h('h2', {}, 'Export all'),
      h('div', { class: 'row' }, h('label', {}, 'Progress', bar), status));
    panel.replaceChildren(box);
    try {
      let job = await api('POST', `/api/v1/index_sets/${encodeURIComponent(set.name)}/exports?file_type=csv`, body(s));
      const until = Date.now() + 10 * 60 * 1000;
      while (job.status === 'download_log' && Date.now() < until) {
        await new Promise((res) => setTimeout(res, 500));
        if (!box.isConnected) return;
        job = await api('GET', `/api/v1/exports/${job.id}`);
        bar.value = job.progress || 0;
        status.textContent = `${job.rows_written} of ${job.total} lines`;
      }
      bar.value = job.status === 'success' ? 1 : bar.value;
      if (job.status !== 'success') { status.textContent = `${job.status}: ${job.error || 'still running; see the exports list'}`; return; }
      status.textContent = `done: ${job.rows_written} lines, ${job.size_bytes} bytes`;
      const dl = h('button', { type: 'button', id: 'export-download', class: 'primary' }, 'Download');
      dl.onclick = async () => {
        try {
          const r = await api('GET', `/api/v1/exports/${job.id}/download`, undefined, { raw: true, timeout: 300000 });
          download(await r.blob(), fileName(r, `bk_log_search_${set.name}_${job.id}.csv.gz`));
        } catch (ex) { box.append(errorBox(ex)); }
      };
      box.append(dl);
    } catch (ex) { box.append(errorBox(ex)); }
  }

  // ---- field sidebar: top values, click to filter ----
  function renderSide() {
    side.replaceChildren(h('ul', { class: 'fields' }, set.fields.filter((f) => f.name !== set.time_field).map((f) => {
      const li = h('li', {});
      const btn = h('button', { type: 'button', class: 'link field-name', 'aria-expanded': 'false',
        'data-field': f.name }, f.name);
      const values = h('div', {});
      btn.onclick = async () => {
        if (btn.getAttribute('aria-expanded') === 'true') {
          btn.setAttribute('aria-expanded', 'false'); values.replaceChildren(); return;
        }
        btn.setAttribute('aria-expanded', 'true');
        values.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
        try {
          const a = await api('POST', `/api/v1/index_sets/${encodeURIComponent(set.name)}/field_analysis?agg_field=${encodeURIComponent(f.name)}&limit=5`, body(s));
          values.replaceChildren(h('p', { class: 'muted' }, `${a.distinct_count} distinct · in ${a.with_field} of ${a.total}`),
            h('ul', { class: 'top-values', 'aria-label': 'Top values of ' + f.name }, a.top_values.map((v) => h('li', {},
              h('span', { class: 'v', title: String(v.value) }, String(v.value)),
              h('span', { class: 'muted' }, Math.round(v.share * 100) + '%'),
              h('button', { type: 'button', class: 'filter-in', 'aria-label': `Filter ${f.name} is ${v.value}`,
                onclick: () => addFilter(f.name, 'is', v.value) }, '+'),
              h('button', { type: 'button', class: 'filter-out', 'aria-label': `Filter ${f.name} is not ${v.value}`,
                onclick: () => addFilter(f.name, 'is not', v.value) }, '−')))));
        } catch (ex) { values.replaceChildren(errorBox(ex)); }
      };
      li.append(btn, h('span', { class: 'type' }, f.type), values);
      return li;
    })));
  }

  function addFilter(field, operator, value) {
    navigate({ add: s.add.concat([{ field, operator, value: [String(value)] }]), b: 0 });
  }

  // ---- patterns tab ----
  async function patterns(my) {
    results.replaceChildren();
    pager.replaceChildren();
    histo.replaceChildren();
    summary.textContent = 'Loading patterns…';
    try {
      const r = await api('POST', `/api/v1/index_sets/${encodeURIComponent(set.name)}/patterns`, body(s));
      if (my !== seq) return;
      summary.textContent = `${r.patterns} patterns over ${r.total} lines`;
      results.replaceChildren(table(r.items, [
        ['Count', (p) => String(p.count)],
        ['Pattern', (p) => h('code', {}, p.label || p.template)],
        ['Last seen', (p) => fmtTime(p.last_seen)],
        ['', (p) => h('button', { type: 'button', class: 'link', onclick: () => navigate({ tab: 'hits', b: 0,
          add: s.add.concat([{ field: '__pattern', operator: 'is', value: [p.id] }]) }) }, 'Show lines')],
      ], 'Patterns'));
    } catch (ex) {
      if (my !== seq) return;
      summary.textContent = '';
      results.replaceChildren(errorBox(ex));
    }
  }

  await run();
  return {
    screen: 'search',
    onRoute(p) { s = stateOf(p, sets); run(); },
    leave() { seq++; stopTail(); },
  };
}
