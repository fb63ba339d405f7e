// Shared by the conformance scripts: arguments, a client that tallies every _bulk answer, the JSON summary.
//
// Every script takes the same arguments (or the env var in brackets):
//   --url URL          the Elasticsearch-compatible endpoint          [ES_URL]       required
//   --index NAME       the index (bklog: an index set or an alias)    [ES_INDEX]     required
//   --user NAME        basic auth user name                           [ES_USER]      optional
//   --password SECRET  basic auth password (bklog: an ingest token)   [ES_PASSWORD]  optional
//   --count N          documents to send                              [ES_COUNT]     default 2000
//   --run ID           a word put in every message, to find this run  [ES_RUN]       default "run1"
// and prints one JSON line to stdout when the library has finished (flushed and closed):
//   {"library", "sent", "errors", "dropped", "bulk_requests", "statuses": {"201": n, ...},
//    "error_types": {"400 document_parsing_exception": n, ...}, "warnings": [...], "request_errors": [...]}
// "statuses" counts the per-item statuses of every _bulk answer the library received (a retried item is counted
// once per attempt), "error_types" the failed items by status and error.type, "warnings" are the distinct HTTP
// Warning headers of the answers, "request_errors" requests that failed as a whole. A script that fails prints the
// summary so far with "failure" saying why, and exits with status 2.
import { Client } from '@elastic/elasticsearch';

export function options(argv = process.argv.slice(2)) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) throw new Error(`bad argument '${argv[i]}': use --name value`);
    args[argv[i].substring(2)] = argv[i + 1];
  }
  const env = process.env;
  const o = {
    url: args.url ?? env.ES_URL,
    index: args.index ?? env.ES_INDEX,
    user: args.user ?? env.ES_USER,
    password: args.password ?? env.ES_PASSWORD,
    count: Number(args.count ?? env.ES_COUNT ?? 2000),
    run: args.run ?? env.ES_RUN ?? 'run1',
  };
  if (!o.url || !o.index) throw new Error('--url and --index are required');
  if (!Number.isInteger(o.count) || o.count < 0) throw new Error(`--count must be a whole number, got ${o.count}`);
  return o;
}

export function auth(o) {
  return o.password ? { username: o.user || 'conformance', password: o.password } : undefined;
}

/** Per-item statuses of every _bulk answer, gathered through the client's diagnostic events. */
export class Tally {
  constructor(library) {
    this.library = library;
    this.bulkRequests = 0;
    this.statuses = {};
    this.errorTypes = {};
    this.warnings = new Set();
    this.requestErrors = [];
  }

  watch(client) {
    client.diagnostic.on('response', (err, result) => {
      const path = result?.meta?.request?.params?.path ?? '';
      for (const w of result?.warnings ?? []) this.warnings.add(w);
      if (!path.endsWith('/_bulk')) {
        if (err && result?.statusCode !== 404) this.requestErrors.push(`${path}: ${err.message}`);
        return;
      }
      this.bulkRequests++;
      if (err) {
        this.requestErrors.push(`${path}: ${err.message}`);
        return;
      }
      for (const item of result.body?.items ?? []) {
        const op = Object.values(item)[0];
        this.statuses[op.status] = (this.statuses[op.status] ?? 0) + 1;
        if (op.error) {
          const key = `${op.status} ${op.error.type}`;
          this.errorTypes[key] = (this.errorTypes[key] ?? 0) + 1;
        }
      }
    });
    return client;
  }

  /** A Client class whose instances report to this tally (for libraries that make their own client). */
  clientClass() {
    const tally = this;
    return class TalliedClient extends Client {
      constructor(opts) {
        super(opts);
        tally.watch(this);
      }
    };
  }

  print(extra) {
    process.stdout.write(JSON.stringify({
      library: this.library,
      ...extra,
      bulk_requests: this.bulkRequests,
      statuses: this.statuses,
      error_types: this.errorTypes,
      warnings: [...this.warnings],
      request_errors: this.requestErrors.slice(0, 10),
    }) + '\n');
  }
}

/** The level of the i-th document: every 4th is a warning, the others info. */
export function isWarn(i) {
  return i % 4 === 0;
}

/** The text of the i-th message: every other one has the word "alpha", all have the run's word. */
export function message(o, i) {
  return `${i % 2 === 0 ? 'alpha' : 'beta'} conformance ${o.run} item ${i}`;
}

/** Ends the script with status 2; with a tally, first prints its summary with "failure" saying why. */
export function fail(e, tally, extra = {}) {
  process.stderr.write(`${e?.stack ?? e}\n`);
  if (tally) tally.print({ ...extra, failure: String(e?.message ?? e).substring(0, 500) });
  process.exit(2);
}
