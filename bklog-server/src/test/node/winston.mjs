// winston 3 with winston-elasticsearch 0.19 (its default transformer: @timestamp, message, severity, fields.*):
// N lines, every 4th at warn, the others at info, each with the meta field "tenant" (every 5th "acme", the others
// "globex"). The transport adds an "attempts" key to every bulk action line. Ending the logger flushes the
// transport (the documents are searchable within a second, as winston-elasticsearch does not refresh).
import winston from 'winston';
import { ElasticsearchTransport } from 'winston-elasticsearch';
import { auth, fail, isWarn, message, options, Tally } from './common.mjs';

const o = options();
const tally = new Tally('winston + winston-elasticsearch');
const Client = tally.clientClass();
const client = new Client({ node: o.url, auth: auth(o), maxRetries: 3, requestTimeout: 30000 });
const indexingErrors = [];
const transport = new ElasticsearchTransport({
  client,
  index: o.index,
  level: 'info',
  retryLimit: 3,
  internalLogger: (...args) => indexingErrors.push(args.map((a) => JSON.stringify(a)).join(' ').substring(0, 300)),
});
const warnings = [];
transport.on('warning', (e) => warnings.push(e.message));
transport.on('error', (e) => fail(e, tally, { sent: o.count }));

const logger = winston.createLogger({ transports: [transport] });
const finished = new Promise((resolve) => transport.on('finish', resolve));
for (let i = 0; i < o.count; i++) {
  logger.log(isWarn(i) ? 'warn' : 'info', message(o, i), { tenant: i % 5 === 0 ? 'acme' : 'globex', seq: i });
}
setTimeout(() => fail(new Error('winston-elasticsearch did not finish within 90 s'), tally), 90000).unref();
try {
  logger.end();
  await finished;
  tally.print({ sent: o.count, errors: indexingErrors.length, transport_warnings: warnings.slice(0, 5),
    indexing_errors: indexingErrors.slice(0, 5) });
  process.exit(0); // not client.close(): the transport's own connection check may still be running
} catch (e) {
  fail(e, tally, { sent: o.count });
}
