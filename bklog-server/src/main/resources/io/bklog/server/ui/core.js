// Shared helpers: DOM building, the API client (bearer token, timeout, JSON errors), the URL state.
const KEY = 'bklog.token';
export const token = () => sessionStorage.getItem(KEY);
export const setToken = (t) => sessionStorage.setItem(KEY, t);
export const clearToken = () => sessionStorage.removeItem(KEY);

/** h('a', {href}, 'text', child...) — attributes: on* are listeners, null/false skipped, true = empty attribute. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** An API error: the status and the server's {error, message, field, position...} body. */
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || ('HTTP ' + status));
    this.status = status;
    this.body = body || {};
  }
}

/** Calls the JSON API; every call is bounded (timeout, default 30 s) so no request hangs the page. */
export async function api(method, path, body, { timeout = 30000, raw = false } = {}) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeout);
  const headers = { Authorization: 'Bearer ' + token(), Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let r;
  try {
    r = await fetch(path, { method, headers, signal: ctrl.signal,
      body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { message: e.name === 'AbortError'
      ? `${method} ${path} gave no answer within ${timeout / 1000} s` : `${method} ${path} failed: ${e.message}` });
  } finally {
    clearTimeout(timer);
  }
  if (!r.ok) {
    let b = null;
    try { b = await r.json(); } catch (e) { /* not JSON */ }
    throw new ApiError(r.status, b);
  }
  if (raw) return r;
  const text = await r.text();
  return text ? JSON.parse(text) : null;
}

/** Saves a Blob as a file through a temporary link (the API needs the token, so no plain href). */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function fileName(response, fallback) {
  const cd = response.headers.get('Content-Disposition') || '';
  const m = /filename="?([^";]+)"?/.exec(cd);
  return m ? m[1] : fallback;
}

export function toast(message) {
  const box = document.getElementById('toast');
  const d = h('div', {}, message);
  box.append(d);
  setTimeout(() => d.remove(), 4000);
}

/** The screen and its parameters from the hash: #/search?index_set=app&q=... */
export function routeParams() {
  const hash = location.hash.replace(/^#\/?/, '');
  const q = hash.indexOf('?');
  const screen = (q < 0 ? hash : hash.slice(0, q)) || 'search';
  return { screen, params: new URLSearchParams(q < 0 ? '' : hash.slice(q + 1)) };
}

export function go(screen, params) {
  const qs = params ? params.toString() : '';
  location.hash = '#/' + screen + (qs ? '?' + qs : '');
}

/** Text with <mark>…</mark> (the API's highlights) as DOM nodes; everything else stays text. */
export function marked(text) {
  const out = [];
  const parts = String(text).split(/(<mark>|<\/mark>)/);
  let inMark = false;
  for (const p of parts) {
    if (p === '<mark>') inMark = true;
    else if (p === '</mark>') inMark = false;
    else if (p) out.push(inMark ? h('mark', {}, p) : p);
  }
  return out;
}

export function fmtTime(ms) {
  const d = new Date(typeof ms === 'number' ? ms : Date.parse(ms));
  if (isNaN(d)) return String(ms);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** A table of rows: cols = [[header, row => cell]]. */
export function table(rows, cols, label) {
  return h('div', { class: 'scroll' }, h('table', { 'aria-label': label },
    h('thead', {}, h('tr', {}, cols.map(([name]) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, rows.length ? rows.map((r) => h('tr', {}, cols.map(([, f]) => h('td', {}, f(r)))))
      : h('tr', {}, h('td', { colspan: cols.length, class: 'muted' }, 'none')))));
}

/** An error as the user sees it: the API's stable code (when there is one) and its message. */
export function errorBox(ex) {
  const code = ex.body && ex.body.error;
  return h('div', { class: 'error', role: 'alert' }, code ? h('strong', {}, code + ': ') : null, ex.message);
}

export const pretty = (v) => JSON.stringify(v, null, 2);
