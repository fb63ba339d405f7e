// pino 10 writing to pino-elasticsearch 9 (a stream on helpers.bulk): N lines, every 4th at warn (pino's level 40),
// the others at info (30), each with pino's own hostname and pid; the stream ends when pino has written every line,
// and the summary is printed on pino-elasticsearch's "insert" event (the helper finished and refreshed the index).
import os from 'node:os';
import pino from 'pino';
import pinoElastic from 'pino-elasticsearch';
import { auth, fail, isWarn, message, options, Tally } from './common.mjs';

const o = options();
const tally = new Tally('pino + pino-elasticsearch');
const stream = pinoElastic({ node: o.url, auth: auth(o), index: o.index, esVersion: 8, flushBytes: 200000,
  flushInterval: 1000 }, { Client: tally.clientClass() });
const insertErrors = {};
stream.on('insertError', (e) => {
  const s = e.document?.status ?? 'unknown';
  insertErrors[s] = (insertErrors[s] ?? 0) + 1;
});
stream.on('error', (e) => fail(e, tally, { sent: o.count, dropped: insertErrors }));
stream.on('insert', (stats) => {
  tally.print({ hostname: os.hostname(), sent: stats.total, errors: stats.failed, successful: stats.successful, dropped: insertErrors });
  process.exit(0);
});

const logger = pino({ level: 'info' }, stream);
for (let i = 0; i < o.count; i++) {
  if (isWarn(i)) logger.warn({ seq: i }, message(o, i));
  else logger.info({ seq: i }, message(o, i));
}
stream.end();
setTimeout(() => fail(new Error('pino-elasticsearch did not finish within 90 s'), tally), 90000).unref();
