// The manage screens. Admin screens first ask an admin-only route (GET /api/v1/tokens): a token without the
// admin role gets the API's 403 and the 403 screen, before anything is shown.
import { h, api, pretty, table, errorBox, fmtTime, toast, ApiError } from './core.js';

async function requireAdmin() {
  await api('GET', '/api/v1/tokens');
}

const enc = encodeURIComponent;
const bytes = (n) => n >= 1 << 30 ? (n / (1 << 30)).toFixed(1) + ' GiB' : n >= 1 << 20 ? (n / (1 << 20)).toFixed(1) + ' MiB'
  : n >= 1024 ? (n / 1024).toFixed(1) + ' KiB' : `${n} B`;
const badge = (v) => h('span', { class: 'badge ' + String(v).toLowerCase() }, String(v));

function jsonArea(id, label, value, rows = 8) {
  const ta = h('textarea', { id, rows: String(rows), spellcheck: 'false' });
  ta.value = typeof value === 'string' ? value : pretty(value);
  return [h('label', { class: 'grow' }, label, ta), ta];
}

function parseJson(ta, name) {
  try { return JSON.parse(ta.value); } catch (e) { throw new Error(`${name} is not valid JSON: ${e.message}`); }
}

/** Renders the API's error, with the per-entry `errors` of a collector config when there are some. */
function apiErrorBox(ex) {
  const box = errorBox(ex);
  const errs = ex.body && ex.body.errors;
  if (Array.isArray(errs) && errs.length) {
    box.append(h('ul', {}, errs.map((e) => h('li', {}, h('code', {}, e.path || e.field || ''), ' ', e.message || JSON.stringify(e)))));
  }
  return box;
}

async function indexSetPicker(id) {
  const sets = (await api('GET', '/api/v1/index_sets')).index_sets;
  return h('select', { id }, sets.map((s) => h('option', { value: s.name }, s.name)));
}

function poll(fn, ms, untilMs) {
  const end = Date.now() + untilMs;
  return new Promise((resolve, reject) => {
    const step = async () => {
      try {
        const done = await fn();
        if (done) return resolve(done);
        if (Date.now() > end) return reject(new Error('still running after ' + untilMs / 1000 + ' s; look again later'));
        setTimeout(step, ms);
      } catch (e) { reject(e); }
    };
    step();
  });
}

/** Follows an async task (GET /api/v1/tasks/status/{id}) to done or failed, its state and progress in `out`. */
async function followTask(taskId, label, out, progress) {
  const st = await poll(async () => {
    const s = await api('GET', `/api/v1/tasks/status/${enc(taskId)}`);
    if (progress) progress.value = s.progress || 0;
    out.replaceChildren(h('p', {}, `${label}: ${s.state}${s.message ? ' · ' + s.message : ''}`));
    return ['done', 'failed'].includes(s.state) ? s : null;
  }, 400, 600000);
  if (progress && st.state === 'done') progress.value = 1;
  out.replaceChildren(h('p', { class: st.state === 'done' ? 'ok' : 'error' }, `${label}: ${st.state} — ${st.result || st.error || ''}`));
  return st;
}

// ---------------------------------------------------------------- index sets
const IS_KEYS = ['time_field', 'fields', 'retention_days', 'storage_cluster', 'shards', 'replicas', 'dynamic',
  'patterns', 'description'];

async function indexSets(main) {
  await requireAdmin();
  const list = h('div', {});
  const detail = h('div', {});
  const name = h('input', { id: 'is-name', required: true, pattern: '[a-z0-9_]+' });
  const [specLabel, spec] = jsonArea('is-spec', 'Settings (JSON: fields, retention_days, storage_cluster, time_field…)',
    { retention_days: 14, fields: [{ name: 'log', type: 'text' }, { name: 'serverIp', type: 'keyword' },
      { name: 'path', type: 'keyword' }, { name: 'gseIndex', type: 'long' }, { name: 'iterationIndex', type: 'long' },
      { name: 'dtEventTimeStamp', type: 'date' }] }, 8);
  const msg = h('div', { role: 'status' });
  const form = h('form', { class: 'card', 'aria-labelledby': 'is-form' }, h('h2', { id: 'is-form' }, 'Create or update'),
    h('div', { class: 'row' }, h('label', {}, 'Name', name)), h('div', { class: 'row' }, specLabel),
    h('button', { class: 'primary', type: 'submit' }, 'Save index set'), msg);
  form.onsubmit = async (e) => {
    e.preventDefault();
    try {
      const r = await api('PUT', `/api/v1/index_sets/${enc(name.value)}`, parseJson(spec, 'Settings'));
      msg.replaceChildren(h('p', { class: 'ok' }, `Saved ${r.name} (version ${r.version}).`));
      load();
    } catch (ex) { msg.replaceChildren(apiErrorBox(ex)); }
  };
  async function show(s) {
    const capBox = h('div', { id: 'is-capacity', 'aria-live': 'polite' });
    async function capacity() {
      try {
        const c = await api('GET', `/api/v1/index_sets/${enc(s.name)}/capacity`);
        capBox.replaceChildren(table([c], [['Documents', (x) => Number(x.doc_count).toLocaleString('en')],
          ['Size', (x) => bytes(x.size_bytes)], ['Indices', (x) => String(x.index_count)],
          ['Synced', (x) => x.synced_at ? fmtTime(x.synced_at) : 'not yet']], 'Capacity of ' + s.name));
      } catch (ex) { capBox.replaceChildren(errorBox(ex)); }
    }
    const sync = h('button', { type: 'button', id: 'is-capacity-sync', onclick: async () => {
      try {
        const r = await api('POST', '/api/v1/tasks/ops.capacity_sync/run', {});
        await followTask(r.task_id, 'ops.capacity_sync', capBox, null);
        await capacity();
      } catch (ex) { capBox.replaceChildren(errorBox(ex)); }
    } }, 'Sync capacity now');
    detail.replaceChildren(h('div', { class: 'card' }, h('h2', {}, s.name),
      table(s.fields, [['Field', (f) => f.name], ['Type', (f) => f.type]], 'Fields of ' + s.name),
      h('h3', {}, 'Capacity'), capBox, sync,
      h('h3', {}, 'Settings'), h('pre', { class: 'json' }, pretty(s))));
    name.value = s.name;
    // the settings a PUT takes, as they are now (read-only keys such as rotation or store_name left out)
    spec.value = pretty(Object.fromEntries(IS_KEYS.filter((k) => s[k] !== undefined && s[k] !== null).map((k) => [k, s[k]])));
    await capacity();
  }
  async function load() {
    const sets = (await api('GET', '/api/v1/index_sets')).index_sets;
    list.replaceChildren(table(sets, [
      ['Name', (s) => h('button', { type: 'button', class: 'link', onclick: () => show(s) }, s.name)],
      ['Time field', (s) => s.time_field], ['Fields', (s) => String(s.fields.length)],
      ['Retention (days)', (s) => String(s.retention_days)], ['Storage cluster', (s) => s.storage_cluster || s.store_name || ''],
    ], 'Index sets'));
  }
  main.replaceChildren(h('h1', {}, 'Index sets'), h('div', { class: 'card' }, list), detail, form);
  await load();
}

// ---------------------------------------------------------------- collectors + ETL preview + time format
const COLLECTOR = {
  name: 'app_file', index_set: 'app', source_type: 'file',
  source_params: { paths: ['/var/log/app/*.log'] },
  etl_config: 'bk_log_delimiter', etl_params: { separator: '|' },
  fields: [
    { field_name: 'ts', field_type: 'string', field_index: 1, is_time: true, option: { time_format: 'yyyy-MM-dd HH:mm:ss', time_zone: 0 } },
    { field_name: 'level', field_type: 'string', field_index: 2 },
    { field_name: 'msg', field_type: 'string', field_index: 3 }],
};

const ETL_TYPES = [['bk_log_text', 'Text (the line as log)'], ['bk_log_json', 'JSON'],
  ['bk_log_delimiter', 'Delimiter'], ['bk_log_regexp', 'Regex / grok']];

/**
 * The common fields of a collector as a form (name, index set, source and its paths or port, ETL type and its
 * options, the field names and the time field). Every edit writes them into the JSON config (the "advanced"
 * editor, which keeps every other key), and a valid edit of the JSON fills the form back.
 */
function collectorForm(cfg, sets, sourceTypes) {
  const el = {
    name: h('input', { id: 'c-name', required: true }),
    set: h('select', { id: 'c-index-set' }, sets.map((s) => h('option', { value: s.name }, s.name))),
    source: h('select', { id: 'c-source' }, sourceTypes.map((t) => h('option', { value: t }, t))),
    paths: h('textarea', { id: 'c-paths', rows: '2', spellcheck: 'false' }),
    port: h('input', { id: 'c-port', type: 'number', min: '0', max: '65535' }),
    protocol: h('select', { id: 'c-protocol' }, ['udp', 'tcp', 'both'].map((t) => h('option', { value: t }, t))),
    etl: h('select', { id: 'c-etl' }, ETL_TYPES.map(([v, l]) => h('option', { value: v }, l))),
    separator: h('input', { id: 'c-separator', size: '4' }),
    regexp: h('input', { id: 'c-regexp', spellcheck: 'false' }),
    grok: h('input', { id: 'c-grok', type: 'checkbox' }),
    fields: h('input', { id: 'c-fields', spellcheck: 'false' }),
    timeField: h('input', { id: 'c-time-field' }),
    timeFormat: h('input', { id: 'c-time-format' }),
    timeZone: h('input', { id: 'c-time-zone', type: 'number', min: '-12', max: '14' }),
  };
  const show = (node, on) => { node.hidden = !on; };
  const filePart = h('div', { class: 'row' }, h('label', { class: 'grow' }, 'Paths (one per line)', el.paths));
  const syslogPart = h('div', { class: 'row' }, h('label', {}, 'Port', el.port), h('label', {}, 'Protocol', el.protocol));
  const delimPart = h('label', {}, 'Separator', el.separator);
  const regexPart = h('span', { class: 'row' }, h('label', { class: 'grow' }, 'Pattern (named groups, or grok)', el.regexp),
    h('label', { class: 'inline' }, 'Grok', el.grok));
  const fieldsPart = h('div', { class: 'row' },
    h('label', { class: 'grow' }, 'Fields (comma-separated; for a delimiter, in column order)', el.fields),
    h('label', {}, 'Time field', el.timeField), h('label', {}, 'Time format', el.timeFormat),
    h('label', {}, 'Time zone (hours)', el.timeZone));
  function visibility() {
    show(filePart, el.source.value === 'file');
    show(syslogPart, el.source.value === 'syslog');
    show(delimPart, el.etl.value === 'bk_log_delimiter');
    show(regexPart, el.etl.value === 'bk_log_regexp');
    show(fieldsPart, el.etl.value === 'bk_log_delimiter' || el.etl.value === 'bk_log_regexp' || el.etl.value === 'bk_log_json');
  }
  function fill(c) {
    const sp = c.source_params || {}, ep = c.etl_params || {}, fs = Array.isArray(c.fields) ? c.fields : [];
    el.name.value = c.name || '';
    if (c.index_set) el.set.value = c.index_set;
    if (c.source_type && ![...el.source.options].some((o) => o.value === c.source_type)) {
      el.source.append(h('option', { value: c.source_type }, c.source_type));
    }
    el.source.value = c.source_type || 'file';
    el.paths.value = (sp.paths || []).join('\n');
    el.port.value = sp.syslog_port ?? '';
    el.protocol.value = sp.syslog_protocol || 'udp';
    el.etl.value = c.etl_config || 'bk_log_text';
    el.separator.value = ep.separator || '';
    el.regexp.value = ep.separator_regexp || '';
    el.grok.checked = !!ep.is_grok;
    el.fields.value = fs.map((f) => f.field_name).join(', ');
    const t = fs.find((f) => f.is_time) || {};
    const opt = t.option || {};
    el.timeField.value = t.field_name || '';
    el.timeFormat.value = opt.time_format || t.time_format || '';
    el.timeZone.value = opt.time_zone ?? t.time_zone ?? '';
    visibility();
  }
  function write() {
    let c;
    try { c = JSON.parse(cfg.value); } catch (e) { c = {}; }
    c.name = el.name.value;
    c.index_set = el.set.value;
    c.source_type = el.source.value;
    const sp = Object.assign({}, c.source_params);
    if (c.source_type === 'file') {
      sp.paths = el.paths.value.split('\n').map((x) => x.trim()).filter((x) => x);
      delete sp.syslog_port; delete sp.syslog_protocol;
    } else if (c.source_type === 'syslog') {
      sp.syslog_port = el.port.value === '' ? undefined : Number(el.port.value);
      sp.syslog_protocol = el.protocol.value;
      delete sp.paths;
    }
    c.source_params = sp;
    c.etl_config = el.etl.value;
    const ep = Object.assign({}, c.etl_params);
    if (c.etl_config === 'bk_log_delimiter') { ep.separator = el.separator.value; delete ep.separator_regexp; delete ep.is_grok; }
    else if (c.etl_config === 'bk_log_regexp') { ep.separator_regexp = el.regexp.value; ep.is_grok = el.grok.checked; delete ep.separator; }
    else { delete ep.separator; delete ep.separator_regexp; delete ep.is_grok; }
    c.etl_params = ep;
    if (c.etl_config === 'bk_log_text') {
      delete c.fields;
    } else {
      const old = new Map((Array.isArray(c.fields) ? c.fields : []).map((f) => [f.field_name, f]));
      const names = el.fields.value.split(',').map((x) => x.trim()).filter((x) => x);
      c.fields = names.map((n, i) => {
        const f = Object.assign({ field_type: 'string' }, old.get(n), { field_name: n });
        if (c.etl_config === 'bk_log_delimiter') f.field_index = i + 1; else delete f.field_index;
        delete f.is_time; delete f.time_format; delete f.time_zone;
        if (n === el.timeField.value.trim()) {
          f.is_time = true;
          f.option = Object.assign({}, f.option, { time_format: el.timeFormat.value || 'auto',
            time_zone: el.timeZone.value === '' ? 0 : Number(el.timeZone.value) });
        } else if (f.option) {
          delete f.option.time_format; delete f.option.time_zone;
          if (!Object.keys(f.option).length) delete f.option;
        }
        return f;
      });
    }
    cfg.value = pretty(c);
    visibility();
  }
  for (const x of Object.values(el)) x.addEventListener(x.tagName === 'SELECT' || x.type === 'checkbox' ? 'change' : 'input', write);
  cfg.addEventListener('input', () => { try { fill(JSON.parse(cfg.value)); } catch (e) { /* fixed in the JSON first */ } });
  try { fill(JSON.parse(cfg.value)); } catch (e) { visibility(); }
  return h('fieldset', { class: 'plain' }, h('legend', {}, 'Collector'),
    h('div', { class: 'row' }, h('label', {}, 'Name', el.name), h('label', {}, 'Index set', el.set),
      h('label', {}, 'Source type', el.source)),
    filePart, syslogPart,
    h('div', { class: 'row' }, h('label', {}, 'ETL type', el.etl), delimPart, regexPart), fieldsPart);
}

async function collectors(main) {
  await requireAdmin();
  const list = h('div', {});
  const sets = (await api('GET', '/api/v1/index_sets')).index_sets;
  const known = await api('GET', '/api/v1/collectors');
  const sample = Object.assign({}, COLLECTOR, { index_set: sets[0] ? sets[0].name : 'app' });
  const [cfgLabel, cfg] = jsonArea('collector-config', 'Collector config (JSON, docs/collectors.md)', sample, 14);
  const basics = collectorForm(cfg, sets, known.source_types && known.source_types.length ? known.source_types : ['file', 'syslog']);
  const advanced = h('details', { id: 'c-advanced' }, h('summary', {}, 'Advanced: the whole config as JSON (filters, multiline, field types…)'),
    h('div', { class: 'row' }, cfgLabel));
  const lines = h('textarea', { id: 'etl-lines', rows: '4' });
  lines.value = '2024-05-01 10:00:01|ERROR|card declined\n2024-05-01 10:00:02|INFO|paid';
  const preview = h('div', { id: 'etl-preview', 'aria-live': 'polite' });
  const saveMsg = h('div', { role: 'status' });
  async function runPreview() {
    try {
      const c = parseJson(cfg, 'Collector config');
      const r = await api('POST', '/api/v1/etl/preview', { lines: lines.value.split('\n').filter((l) => l.length),
        etl_config: c.etl_config, etl_params: c.etl_params, fields: c.fields, multiline: c.multiline, filters: c.filters });
      const keys = [...new Set(r.lines.flatMap((l) => Object.keys(l.fields || {})))];
      preview.replaceChildren(table(r.lines, [
        ['Line', (l) => h('code', {}, l.line)],
        ['Time', (l) => l.filtered ? 'filtered out' : (l.timestamp ? new Date(l.timestamp).toISOString() : '—')],
        ...keys.map((k) => [k, (l) => (l.fields && l.fields[k] !== undefined) ? String(l.fields[k]) : '']),
        ['Parse failure', (l) => l.parse_failure ? (l.failure_reason || 'yes') : ''],
      ], 'Parsed sample lines'));
    } catch (ex) { preview.replaceChildren(ex instanceof ApiError ? apiErrorBox(ex) : errorBox(ex)); }
  }
  const tfData = h('input', { id: 'tf-data', value: '2024-05-01 10:00:00' });
  const tfFormat = h('input', { id: 'tf-format', value: 'yyyy-MM-dd HH:mm:ss' });
  const tfZone = h('input', { id: 'tf-zone', value: '8', type: 'number', min: '-12', max: '14' });
  const tfOut = h('div', { id: 'tf-result', 'aria-live': 'polite' });
  const tfForm = h('form', { class: 'card', 'aria-labelledby': 'tf-title' }, h('h2', { id: 'tf-title' }, 'Time format tester'),
    h('div', { class: 'row' }, h('label', {}, 'Value', tfData), h('label', {}, 'Format (or auto)', tfFormat),
      h('label', {}, 'Zone (hours)', tfZone), h('button', { type: 'submit' }, 'Test')), tfOut);
  tfForm.onsubmit = async (e) => {
    e.preventDefault();
    try {
      const r = await api('POST', '/api/v1/etl/time_format', { data: tfData.value, time_format: tfFormat.value, time_zone: Number(tfZone.value) });
      tfOut.replaceChildren(h('p', { class: 'ok' }, `${r.utc} (epoch ms ${r.timestamp}, format ${r.time_format})`));
    } catch (ex) { tfOut.replaceChildren(apiErrorBox(ex)); }
  };
  const form = h('form', { class: 'card', 'aria-labelledby': 'c-form' }, h('h2', { id: 'c-form' }, 'New collector'),
    basics, advanced,
    h('div', { class: 'row' }, h('label', { class: 'grow' }, 'Sample lines (one per line)', lines)),
    h('div', { class: 'row' }, h('button', { type: 'button', id: 'etl-preview-run', onclick: runPreview }, 'Preview ETL'),
      h('button', { class: 'primary', type: 'submit' }, 'Create collector')), preview, saveMsg);
  form.onsubmit = async (e) => {
    e.preventDefault();
    try {
      const r = await api('POST', '/api/v1/collectors', parseJson(cfg, 'Collector config'));
      saveMsg.replaceChildren(h('p', { class: 'ok' }, `Created collector ${r.name} (id ${r.id}): ${r.status ? r.status.state : ''}`));
      load();
    } catch (ex) { saveMsg.replaceChildren(ex instanceof ApiError ? apiErrorBox(ex) : errorBox(ex)); }
  };
  async function act(c, what) {
    try {
      if (what === 'delete') await api('DELETE', `/api/v1/collectors/${c.id}`);
      else await api('POST', `/api/v1/collectors/${c.id}/${what}`);
      load();
    } catch (ex) { toast(ex.message); }
  }
  async function load(known) {
    const r = known || await api('GET', '/api/v1/collectors');
    list.replaceChildren(table(r.collectors, [
      ['Name', (c) => c.name], ['Index set', (c) => c.index_set], ['Source', (c) => c.source_type],
      ['State', (c) => h('span', {}, badge(c.status ? c.status.state : '?'), ' ', c.status && (c.status.reason || c.status.detail) || '')],
      ['', (c) => h('span', {}, h('button', { type: 'button', onclick: () => act(c, 'start') }, 'Start'), ' ',
        h('button', { type: 'button', onclick: () => act(c, 'stop') }, 'Stop'), ' ',
        h('button', { type: 'button', onclick: () => act(c, 'delete') }, 'Delete'))],
    ], 'Collectors'));
  }
  main.replaceChildren(h('h1', {}, 'Collectors'), h('div', { class: 'card' }, list), form, tfForm);
  await load(known);
}

// ---------------------------------------------------------------- masking rules with live preview
async function masking(main) {
  await requireAdmin();
  const rules = h('div', {});
  const picker = await indexSetPicker('mask-index-set');
  const [cfgLabel, cfg] = jsonArea('mask-config', 'Masking config of the index set (field_configs, text_fields)', '{}', 8);
  const [samplesLabel, samples] = jsonArea('mask-samples', 'Sample documents (JSON array)',
    [{ phone: '13800138000', log: 'call 13800138000 failed' }], 5);
  const out = h('div', { id: 'mask-preview', 'aria-live': 'polite' });
  const msg = h('div', { role: 'status' });
  let timer = null;
  async function preview() {
    try {
      const c = parseJson(cfg, 'Config');
      const r = await api('POST', `/api/v1/index_sets/${enc(picker.value)}/desensitize/preview`, {
        samples: parseJson(samples, 'Samples'), field_configs: c.field_configs || [], text_fields: c.text_fields || [] });
      out.replaceChildren(h('h3', {}, 'Preview (masked)'), h('pre', { class: 'json' }, pretty(r.samples)));
    } catch (ex) { out.replaceChildren(ex instanceof ApiError ? apiErrorBox(ex) : errorBox(ex)); }
  }
  const live = () => { clearTimeout(timer); timer = setTimeout(preview, 300); };
  cfg.addEventListener('input', live);
  samples.addEventListener('input', live);
  let seq = 0; // the answer for an index set picked earlier is dropped
  async function loadConfig() {
    const my = ++seq;
    const c = await api('GET', `/api/v1/index_sets/${enc(picker.value)}/desensitize`);
    if (my !== seq) return;
    // the stored config as it is written back (ids and timestamps of the stored steps left out)
    const keys = ['field_name', 'sort_index', 'operator', 'params', 'rule_id', 'match_pattern'];
    const steps = (c.field_configs || []).map((fc) => Object.fromEntries(keys.filter((k) => fc[k] !== null && fc[k] !== undefined).map((k) => [k, fc[k]])));
    cfg.value = pretty({ field_configs: steps, text_fields: c.text_fields || [] });
    preview();
  }
  picker.onchange = loadConfig;
  const save = h('button', { type: 'button', class: 'primary', onclick: async () => {
    try {
      await api('PUT', `/api/v1/index_sets/${enc(picker.value)}/desensitize`, parseJson(cfg, 'Config'));
      msg.replaceChildren(h('p', { class: 'ok' }, 'Saved; it applies to every read from now on, old logs included.'));
    } catch (ex) { msg.replaceChildren(apiErrorBox(ex)); }
  } }, 'Save config');
  const [ruleLabel, rule] = jsonArea('rule-json', 'New rule (JSON)', { rule_name: 'phone', operator: 'mask_shield',
    params: { preserve_head: 3, preserve_tail: 2 }, match_pattern: '1[3-9]\\d{9}', match_fields: ['phone'] }, 6);
  const ruleMsg = h('div', { role: 'status' });
  const ruleForm = h('form', { class: 'card', 'aria-labelledby': 'rule-title' }, h('h2', { id: 'rule-title' }, 'New rule'),
    h('div', { class: 'row' }, ruleLabel), h('button', { type: 'submit', class: 'primary' }, 'Create rule'), ruleMsg);
  ruleForm.onsubmit = async (e) => {
    e.preventDefault();
    try { await api('POST', '/api/v1/desensitize/rules', parseJson(rule, 'Rule')); loadRules(); ruleMsg.replaceChildren(h('p', { class: 'ok' }, 'Created.')); }
    catch (ex) { ruleMsg.replaceChildren(ex instanceof ApiError ? apiErrorBox(ex) : errorBox(ex)); }
  };
  async function loadRules() {
    const r = await api('GET', '/api/v1/desensitize/rules');
    rules.replaceChildren(table(r.rules, [['Id', (x) => String(x.id)], ['Name', (x) => x.rule_name], ['Operator', (x) => x.operator],
      ['Pattern', (x) => h('code', {}, x.match_pattern || '')], ['Fields', (x) => (x.match_fields || []).join(', ')],
      ['Active', (x) => String(x.is_active)],
      ['', (x) => h('button', { type: 'button', onclick: async () => { try { await api('DELETE', `/api/v1/desensitize/rules/${x.id}`); loadRules(); } catch (ex) { toast(ex.message); } } }, 'Delete')]], 'Rules'));
  }
  main.replaceChildren(h('h1', {}, 'Masking'), h('div', { class: 'card' }, h('h2', {}, 'Rules'), rules), ruleForm,
    h('div', { class: 'card' }, h('h2', {}, 'Index set config'), h('div', { class: 'row' }, h('label', {}, 'Index set', picker)),
      h('div', { class: 'row' }, cfgLabel, samplesLabel), out, save, msg));
  await loadRules();
  await loadConfig();
}

// ---------------------------------------------------------------- spaces and tokens
async function tokens(main) {
  await requireAdmin();
  const list = h('div', {});
  const name = h('input', { id: 'token-name', required: true });
  const space = h('input', { id: 'token-space', value: 'default' });
  const roles = ['viewer', 'ingest', 'admin', 'unmasked'].map((r) => h('input', { type: 'checkbox', value: r, id: 'role-' + r, checked: r === 'viewer' }));
  const expires = h('input', { id: 'token-expires', placeholder: '2027-01-01T00:00:00Z (optional)' });
  const out = h('div', { id: 'token-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', 'aria-labelledby': 't-title' }, h('h2', { id: 't-title' }, 'New token'),
    h('div', { class: 'row' }, h('label', {}, 'Name', name), h('label', {}, 'Space', space), h('label', {}, 'Expires at', expires)),
    h('fieldset', {}, h('legend', {}, 'Roles'), roles.map((c) => h('label', { class: 'inline' }, c, c.value))),
    h('button', { class: 'primary', type: 'submit' }, 'Create token'), out);
  form.onsubmit = async (e) => {
    e.preventDefault();
    try {
      const r = await api('POST', '/api/v1/tokens', { name: name.value, space_uid: space.value,
        roles: roles.filter((c) => c.checked).map((c) => c.value), expires_at: expires.value || null });
      out.replaceChildren(h('p', {}, 'The token, shown this once only (only its hash is stored): copy it now.'),
        h('p', { class: 'secret', id: 'new-token' }, r.token));
      load();
    } catch (ex) { out.replaceChildren(apiErrorBox(ex)); }
  };
  const spUid = h('input', { id: 'space-uid', required: true });
  const spName = h('input', { id: 'space-name', required: true });
  const spMsg = h('div', { role: 'status' });
  const spForm = h('form', { class: 'card', 'aria-labelledby': 'sp-title' }, h('h2', { id: 'sp-title' }, 'New space'),
    h('div', { class: 'row' }, h('label', {}, 'Space uid', spUid), h('label', {}, 'Name', spName),
      h('button', { type: 'submit' }, 'Create space')), spMsg);
  spForm.onsubmit = async (e) => {
    e.preventDefault();
    try { await api('POST', '/api/v1/spaces', { space_uid: spUid.value, name: spName.value }); spMsg.replaceChildren(h('p', { class: 'ok' }, 'Created.')); }
    catch (ex) { spMsg.replaceChildren(apiErrorBox(ex)); }
  };
  async function load() {
    const r = await api('GET', '/api/v1/tokens');
    list.replaceChildren(table(r.tokens, [['Name', (t) => t.name], ['Space', (t) => t.space_uid], ['Roles', (t) => t.roles.join(', ')],
      ['Expires', (t) => t.expires_at || 'never'], ['Created', (t) => fmtTime(t.created_at)],
      ['', (t) => h('button', { type: 'button', 'aria-label': 'Revoke ' + t.name, onclick: async () => {
        try { await api('DELETE', `/api/v1/tokens/${enc(t.name)}`); load(); } catch (ex) { toast(ex.message); } } }, 'Revoke')]], 'Tokens'));
  }
  main.replaceChildren(h('h1', {}, 'Spaces and tokens'), h('div', { class: 'card' }, list), form, spForm);
  await load();
}

// ---------------------------------------------------------------- tasks and runs
async function tasks(main) {
  await requireAdmin();
  const list = h('div', {});
  const runs = h('div', {});
  const msg = h('div', { role: 'status' });
  async function run(t) {
    try {
      const r = await api('POST', `/api/v1/tasks/${enc(t.name)}/run`, {});
      await followTask(r.task_id, t.name, msg, null);
      load();
    } catch (ex) { msg.replaceChildren(errorBox(ex)); }
  }
  async function load() {
    const r = await api('GET', '/api/v1/tasks');
    list.replaceChildren(h('p', { class: 'muted' }, `beat ${r.beat_active ? 'active' : 'off'} · ${r.workers} workers`),
      table(r.tasks, [['Task', (t) => t.name], ['Type', (t) => t.type], ['Schedule', (t) => t.schedule || '—'], ['Queue', (t) => t.queue],
        ['Last run', (t) => t.last_run ? h('span', {}, badge(t.last_run.outcome), ' ', fmtTime(t.last_run.started_at)) : '—'],
        ['', (t) => t.type === 'periodic' ? h('button', { type: 'button', onclick: () => run(t) }, 'Run now') : '']], 'Tasks'));
    const rr = await api('GET', '/api/v1/task_runs?limit=50');
    runs.replaceChildren(table(rr.runs, [['Run', (x) => x.run_id], ['Outcome', (x) => badge(x.outcome)], ['Started', (x) => fmtTime(x.started_at)],
      ['Took (ms)', (x) => String(x.duration_ms)], ['Message', (x) => x.message || x.error || '']], 'Task runs'));
  }
  main.replaceChildren(h('h1', {}, 'Tasks'), msg, h('div', { class: 'card' }, list), h('div', { class: 'card' }, h('h2', {}, 'Runs'), runs));
  await load();
}

// ---------------------------------------------------------------- backups and restores
async function backups(main) {
  await requireAdmin();
  const list = h('div', {});
  const restores = h('div', {});
  const msg = h('div', { role: 'status', id: 'backup-status' });
  const picker = await indexSetPicker('restore-index-set');
  const start = h('input', { id: 'restore-start', required: true, placeholder: '2024-05-01T00:00:00Z' });
  const end = h('input', { id: 'restore-end', required: true, placeholder: '2024-05-02T00:00:00Z' });
  const days = h('input', { id: 'restore-days', type: 'number', min: '1', value: '7' });
  const bar = h('progress', { id: 'restore-progress', max: '1', value: '0' });
  const rmsg = h('div', { id: 'restore-status', 'aria-live': 'polite' });
  const rForm = h('form', { class: 'card', 'aria-labelledby': 'r-title' }, h('h2', { id: 'r-title' }, 'Restore an archived range'),
    h('div', { class: 'row' }, h('label', {}, 'Index set', picker), h('label', {}, 'From', start), h('label', {}, 'To', end),
      h('label', {}, 'Keep (days)', days), h('button', { class: 'primary', type: 'submit' }, 'Start restore')),
    h('div', { class: 'row' }, h('label', {}, 'Progress', bar), rmsg));
  async function follow(taskId, label, out, progress) {
    await followTask(taskId, label, out, progress);
    load();
  }
  rForm.onsubmit = async (e) => {
    e.preventDefault();
    try {
      bar.value = 0;
      const r = await api('POST', `/api/v1/index_sets/${enc(picker.value)}/restores`, { start_time: start.value,
        end_time: end.value, expire_days: Number(days.value) });
      rmsg.replaceChildren(h('p', {}, `Restore ${r.restore.id} queued`));
      load();
      await follow(r.task_id, `Restore ${r.restore.id}`, rmsg, bar);
    } catch (ex) { rmsg.replaceChildren(apiErrorBox(ex)); }
  };
  const backup = (kind) => async () => {
    try {
      const r = await api('POST', '/api/v1/backups', { kind });
      await follow(r.task_id, `${kind} backup`, msg, null);
    } catch (ex) { msg.replaceChildren(apiErrorBox(ex)); }
  };
  async function load() {
    const b = await api('GET', '/api/v1/backups');
    list.replaceChildren(h('p', { class: 'muted' }, 'Location: ' + b.location), table(b.backups, [
      ['Id', (x) => x.id], ['Kind', (x) => x.kind + (x.parent ? ` (on ${x.parent})` : '')], ['Time', (x) => fmtTime(x.time)],
      ['Indices', (x) => String(x.index_count ?? '')], ['Docs', (x) => Number(x.total_docs ?? 0).toLocaleString('en')],
      ['', (x) => h('button', { type: 'button', 'aria-label': 'Verify ' + x.id, onclick: async () => {
        try {
          const v = await api('POST', `/api/v1/backups/${enc(x.id)}/verify`);
          msg.replaceChildren(h('p', { class: v.ok ? 'ok' : 'error' }, v.ok ? `${x.id}: verified, no problem found`
            : `${x.id}: ${v.problems.join('; ')}`));
        } catch (ex) { msg.replaceChildren(errorBox(ex)); } } }, 'Verify')]], 'Backups'));
    const r = await api('GET', '/api/v1/restores');
    restores.replaceChildren(table(r.restores, [['Id', (x) => String(x.id)], ['Index set', (x) => x.index_set_name || x.index_set || String(x.index_set_id)],
      ['Range', (x) => `${fmtTime(x.start_time)} → ${fmtTime(x.end_time)}`], ['Status', (x) => badge(x.status)],
      ['Progress', (x) => h('progress', { max: '1', value: String(x.progress || 0), 'aria-label': 'Restore ' + x.id + ' progress' })],
      ['Docs', (x) => `${x.complete_doc_count ?? ''} / ${x.total_doc_count ?? ''}`], ['Expires', (x) => fmtTime(x.expired_time)],
      ['', (x) => h('button', { type: 'button', onclick: async () => { try { await api('DELETE', `/api/v1/restores/${x.id}`); load(); } catch (ex) { toast(ex.message); } } }, 'Drop')]], 'Restores'));
  }
  main.replaceChildren(h('h1', {}, 'Backups and restores'),
    h('div', { class: 'card' }, h('h2', {}, 'Backups'), h('div', { class: 'row' },
      h('button', { type: 'button', onclick: backup('full') }, 'Full backup now'),
      h('button', { type: 'button', onclick: backup('incremental') }, 'Incremental backup now')), msg, list),
    rForm, h('div', { class: 'card' }, h('h2', {}, 'Restores'), restores));
  await load();
}

// ---------------------------------------------------------------- dead letters
async function deadLetters(main) {
  await requireAdmin();
  const picker = await indexSetPicker('dl-index-set');
  const out = h('div', {});
  const msg = h('div', { role: 'status', id: 'dl-status' });
  let seq = 0; // the answer for an index set picked earlier (or the first load) is dropped
  async function load() {
    const my = ++seq;
    const r = await api('GET', `/api/v1/index_sets/${enc(picker.value)}/dead_letters?size=100`);
    if (my !== seq) return;
    out.replaceChildren(h('p', { class: 'muted', id: 'dl-total' }, `${r.total} dead letter${r.total === 1 ? '' : 's'}`
      + (r.total > r.items.length ? ` (the newest ${r.items.length} shown)` : '')), table(r.items, [
      ['When', (x) => fmtTime(x.time)], ['Reason', (x) => x.reason || ''], ['Attempts', (x) => String(x.attempts ?? '')],
      ['Document', (x) => h('code', {}, JSON.stringify(x.original))]], 'Dead letters'));
    replay.disabled = r.total === 0;
  }
  picker.onchange = () => { msg.replaceChildren(); load(); };
  const replay = h('button', { type: 'button', id: 'dl-replay', onclick: async () => {
    try {
      const r = await api('POST', `/api/v1/index_sets/${enc(picker.value)}/dead_letters/replay`, {});
      const refused = (r.items || []).filter((i) => i.reason)
        .map((i) => h('li', {}, h('code', {}, i.id || ''), ' ', i.reason));
      msg.replaceChildren(h('p', { class: r.rejected ? 'error' : 'ok' },
        `Replayed ${r.replayed}: ${r.stored} stored, ${r.rejected} refused again${r.retryable ? `, ${r.retryable} to retry` : ''}.`),
      refused.length ? h('ul', {}, refused.slice(0, 20)) : null);
      load();
    } catch (ex) { msg.replaceChildren(errorBox(ex)); } } }, 'Replay all');
  main.replaceChildren(h('h1', {}, 'Dead letters'), h('div', { class: 'card' }, h('div', { class: 'row' }, h('label', {}, 'Index set', picker), replay), msg, out));
  await load();
}

// ---------------------------------------------------------------- health (no token needed by the API)
async function health(main) {
  const r = await fetch('/healthz', { headers: { Accept: 'application/json' } }).then((x) => x.json());
  main.replaceChildren(h('h1', {}, 'Health ', badge(r.status ? 'ok' : 'fail')),
    ...r.data.map((ns) => h('section', { class: 'card', 'aria-label': 'Namespace ' + ns.namespace },
      h('h2', {}, ns.namespace, ' ', badge(ns.status ? 'ok' : 'fail')), ns.message ? h('p', {}, ns.message) : null,
      table(ns.data || [], [['Metric', (m) => m.metric_name], ['Status', (m) => badge(m.status ? 'ok' : 'fail')],
        ['Value', (m) => String(m.metric_value)], ['Message', (m) => m.message || ''],
        ['Suggestion', (m) => m.suggestion ? h('strong', {}, m.suggestion) : '']], ns.namespace))));
}

export const manageScreens = [
  ['index_sets', 'Index sets', indexSets],
  ['collectors', 'Collectors', collectors],
  ['masking', 'Masking', masking],
  ['tokens', 'Tokens', tokens],
  ['tasks', 'Tasks', tasks],
  ['backups', 'Backups', backups],
  ['dead_letters', 'Dead letters', deadLetters],
  ['health', 'Health', health],
];
