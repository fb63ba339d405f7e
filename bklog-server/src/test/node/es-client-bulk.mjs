// @elastic/elasticsearch's helpers.bulk: N documents with a message, a service (every 3rd "checkout", the others
// "cart") and a status_code; every 100th document has status_code "not-a-number", which a long field refuses
// (400 document_parsing_exception, dropped by the helper). Refreshes the index at the end.
import { Client } from '@elastic/elasticsearch';
import { auth, fail, message, options, Tally } from './common.mjs';

const o = options();
const tally = new Tally('@elastic/elasticsearch helpers.bulk');
const client = tally.watch(new Client({ node: o.url, auth: auth(o), maxRetries: 3, requestTimeout: 30000 }));

let generated = 0;
async function* documents() {
  const t0 = Date.now();
  for (let i = 0; i < o.count; i++) {
    generated++;
    yield {
      '@timestamp': new Date(t0 + i).toISOString(),
      message: message(o, i),
      service: i % 3 === 0 ? 'checkout' : 'cart',
      status_code: i % 100 === 99 ? 'not-a-number' : (i % 4 === 0 ? 500 : 200),
      seq: i,
    };
  }
}

const dropped = {};
try {
  const stats = await client.helpers.bulk({
    datasource: documents(),
    onDocument: () => ({ index: { _index: o.index } }),
    onDrop: (d) => { dropped[d.status] = (dropped[d.status] ?? 0) + 1; },
    flushBytes: 200000,
    concurrency: 2,
    refreshOnCompletion: o.index,
  });
  tally.print({ sent: stats.total, errors: stats.failed, successful: stats.successful, aborted: stats.aborted,
    dropped });
  await client.close();
} catch (e) {
  fail(e, tally, { sent: generated, dropped });
}
