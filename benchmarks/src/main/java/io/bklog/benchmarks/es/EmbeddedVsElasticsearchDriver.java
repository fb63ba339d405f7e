package io.bklog.benchmarks.es;

import com.fasterxml.jackson.databind.JsonNode;
import io.bklog.es.EsFixture;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 26, the embedded default: the bklog server (its own JVM, the Lucene store with its write-ahead log, auth
 * off) next to one Elasticsearch node (the bklog-es test fixture, or {@code -Des.url}), both with the same heap
 * ({@code -Dbench.heap}, default 1g), sent the same {@code _bulk} load over HTTP: HDFS lines with a sequence number
 * and a timestamp, {@code batch}-document bodies (default 1,000), over 1, 2 and 4 client connections. Both sides
 * acknowledge only durable documents: Elasticsearch's index has {@code index.translog.durability: request} and an
 * explicit mapping ({@code @timestamp: date, message: text, seq: long}), the server's index set is created with the
 * same mapping ({@code PUT /{index}}) and fsyncs its write-ahead log before it answers. For each client count a
 * warm-up round, then {@code rounds} alternating rounds (Elasticsearch first in even rounds); prints docs/s of both
 * per round, docs per CPU-second of each JVM (user + system time, what a loaded machine distorts least), the median
 * ratios server / Elasticsearch, and the peak RSS ({@code VmHWM}) of each JVM.
 *
 * <p>Usage (from the repository root): {@code java -cp $CP io.bklog.benchmarks.es.EmbeddedVsElasticsearchDriver
 * [docsPerRound=100000] [rounds=3] [clients=1,2,4] [batch=1000]}. {@code -Dbench.jfr=FILE} records the server JVM
 * with JFR ({@code settings=profile}) into FILE; {@code -Dbench.serverOpts="..."} adds JVM options to the server,
 * {@code -Dbench.serverArgs="..."} adds arguments to its {@code serve} command (e.g. {@code --config FILE}),
 * {@code -Dbench.serverCp=...} runs it on another classpath; {@code -Dbench.baselineCp=...} runs a second server
 * on that classpath (an older build) in the same rounds, for a before/after under the same load;
 * {@code -Dbench.bklogTextField=log} sends the line under {@code log} to the {@code bklog} side only. At the end each
 * JVM's CPU over all rounds (JIT compiler threads, GC threads, the rest) per 100 k documents.
 * {@code -Dbench.esJfr=FILE} records the Elasticsearch node too (from the end of the first warm-up round, through
 * {@code jcmd}); with both recordings the driver prints each server's share of samples in Lucene ({@link JfrShares}).
 * Read the ratio, not the absolute figures: the machine is usually shared.
 */
public final class EmbeddedVsElasticsearchDriver {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EmbeddedVsElasticsearchDriver.class);
    private static final String DIRECT = "hdfs-embedded-vs-es";
    private static final String BKLOG = "hdfsembedded";
    private static final String MAPPING = "\"mappings\":{\"properties\":{\"@timestamp\":{\"type\":\"date\"},"
            + "\"message\":{\"type\":\"text\"},\"seq\":{\"type\":\"long\"}}}";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private EmbeddedVsElasticsearchDriver() {}

    public static void main(String[] args) throws Exception {
        int perRound = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int[] clientCounts = Arrays.stream((args.length > 2 ? args[2] : "1,2,4").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
        new EmbeddedVsElasticsearchDriver().run(perRound, rounds, clientCounts, batch);
    }

    /** One side of the comparison: where it listens, its JVM, the index it writes. */
    private record Side(String name, String url, long pid, String index) {}

    private void run(int perRound, int rounds, int[] clientCounts, int batch) throws Exception {
        String heap = System.getProperty("bench.heap", "1g");
        if (System.getProperty("es.heap") == null) System.setProperty("es.heap", heap);
        List<String> lines = EsSideBySide.hdfsLines();
        EsFixture node = null;
        List<Process> servers = new ArrayList<>();
        List<Path> dataDirs = new ArrayList<>();
        String esJfr = System.getProperty("bench.esJfr");
        long esRecording = -1; // the pid of the node while JFR records it
        java.util.Map<String, Double> cpuPer100k = new java.util.HashMap<>(); // CPU-s but the JIT's, per side
        try {
            String esUrl = System.getProperty("es.url");
            if (esUrl == null || esUrl.isBlank()) {
                node = EsFixture.create(Path.of(System.getProperty("es.dist.dir",
                        "bklog-es/target/es-dist/elasticsearch-8.19.21")), Path.of("benchmarks/target/es-node"));
                node.start();
                esUrl = node.url();
            }
            esUrl = esUrl.replaceAll("/+$", "");
            List<Side> sides = new ArrayList<>();
            sides.add(new Side("elasticsearch", esUrl, esPid(), DIRECT));
            call(esUrl, "DELETE", "/" + DIRECT + "?ignore_unavailable=true", null);
            call(esUrl, "PUT", "/" + DIRECT, "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0,"
                    + "\"index.translog.durability\":\"request\"}," + MAPPING + "}");
            // the server on this classpath (or -Dbench.serverCp), and with -Dbench.baselineCp an older build too:
            // a before/after in the same run, under the same load
            String[][] builds = System.getProperty("bench.baselineCp") == null
                    ? new String[][] {{"bklog", System.getProperty("bench.serverCp")}}
                    : new String[][] {{"bklog", System.getProperty("bench.serverCp")},
                            {"bklog-before", System.getProperty("bench.baselineCp")}};
            for (String[] b : builds) {
                Path dataDir = Files.createTempDirectory("bklog-embedded-bench");
                dataDirs.add(dataDir);
                int port = freePort();
                Process server = startServer(heap, port, dataDir, b[1], b[0].equals("bklog"));
                servers.add(server);
                String url = "http://127.0.0.1:" + port;
                awaitServer(server, url);
                call(url, "PUT", "/" + BKLOG, "{" + MAPPING + "}");
                sides.add(new Side(b[0], url, server.pid(), BKLOG));
            }
            System.out.printf(Locale.ROOT, "%s; heap %s each, %d docs/round, batch %d%n", sides, heap, perRound, batch);

            long next = 0;
            List<String> summary = new ArrayList<>();
            long[][] cpuAtStart = new long[sides.size()][];
            for (int i = 0; i < sides.size(); i++) cpuAtStart[i] = cpuByKind(sides.get(i).pid());
            for (int clients : clientCounts) {
                ExecutorService pool = Executors.newFixedThreadPool(clients, r -> {
                    Thread t = new Thread(r, "bench-client");
                    t.setDaemon(true);
                    return t;
                });
                int n = sides.size();
                double[][] rate = new double[n][rounds];
                double[][] perCpu = new double[n][rounds];
                double[][] ratio = new double[n][rounds];
                double[][] cpuRatio = new double[n][rounds];
                for (int r = -1; r < rounds; r++) { // round -1 warms every side up
                    double[] d = new double[n];
                    double[] c = new double[n];
                    for (int k = 0; k < n; k++) {
                        int i = Math.floorMod(r % 2 == 0 ? k : -1 - k, n); // forward in even rounds, backward in odd
                        Side side = sides.get(i);
                        // -Dbench.bklogTextField=log: the line under log for the "bklog" side only (what-if: the
                        // store then indexes and stores the text once, where message is copied to log)
                        String textField = side.name().equals("bklog")
                                ? System.getProperty("bench.bklogTextField", "message") : "message";
                        List<String> bodies = EsSideBySide.bulkBodies(lines, side.index(), next, perRound, batch,
                                textField);
                        long cpu0 = EsSideBySide.cpuMillis(side.pid());
                        d[i] = send(pool, clients, side.url(), bodies, perRound);
                        long cpu = EsSideBySide.cpuMillis(side.pid()) - cpu0;
                        c[i] = cpu > 0 ? perRound / (cpu / 1000.0) : Double.NaN;
                    }
                    next += perRound;
                    if (r == -1 && esJfr != null && !esJfr.isBlank() && esRecording == -1) {
                        // from the end of the first warm-up round: the node's start-up is not its ingest
                        try {
                            JfrShares.startRecording(sides.get(0).pid(), "bench-es");
                            esRecording = sides.get(0).pid();
                        } catch (IOException e) { // a node elsewhere (-Des.url), or jcmd refused: run without it
                            LOG.warn("event=bench_es_not_recorded reason=\"{}\"", e.getMessage());
                            esRecording = 0;
                        }
                    }
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "clients %d round %d:", clients, r));
                    for (int i = 0; i < n; i++) {
                        line.append(String.format(Locale.ROOT, " %s %.0f docs/s (%.0f per CPU-s, RSS %d MiB)%s",
                                sides.get(i).name(), d[i], c[i], rssMib(sides.get(i).pid(), "VmRSS"),
                                i == 0 ? "" : String.format(Locale.ROOT, " = %.2f x es (CPU %.2f)", d[i] / d[0],
                                        c[i] / c[0])));
                        if (r >= 0) {
                            rate[i][r] = d[i];
                            perCpu[i][r] = c[i];
                            ratio[i][r] = d[i] / d[0];
                            cpuRatio[i][r] = c[i] / c[0];
                        }
                    }
                    System.out.println(line.append("; load ").append(load()));
                }
                pool.shutdown();
                pool.awaitTermination(1, TimeUnit.MINUTES);
                for (int i = 1; i < n; i++) {
                    String line = String.format(Locale.ROOT, "clients %d: %s/es = %.2f (rounds %s); per CPU-second "
                                    + "%.2f (rounds %s); median docs/s es %.0f, %s %.0f", clients, sides.get(i).name(),
                            median(ratio[i]), fmt(ratio[i]), median(cpuRatio[i]), fmt(cpuRatio[i]), median(rate[0]),
                            sides.get(i).name(), median(rate[i]));
                    summary.add(line);
                    System.out.println(line);
                }
            }
            summary.forEach(System.out::println);
            // the whole run, background work between a side's rounds included (a flush, merge or compilation that
            // runs while the other side is measured escapes that round's figure)
            for (int i = 0; i < sides.size(); i++) {
                long[] end = cpuByKind(sides.get(i).pid());
                long[] start = cpuAtStart[i];
                double total = (end[0] - start[0]) / 1000.0;
                cpuPer100k.put(sides.get(i).name(), ((end[0] - start[0]) - (end[1] - start[1])) / 1000.0
                        * 100_000.0 / next);
                System.out.printf(Locale.ROOT, "CPU over all rounds %s: %.1f s = %.2f CPU-s per 100k docs (JIT compiler"
                                + " threads %.1f s, GC threads %.1f s, the rest %.1f s)%n", sides.get(i).name(), total,
                        total * 100_000.0 / next, (end[1] - start[1]) / 1000.0, (end[2] - start[2]) / 1000.0,
                        ((end[0] - start[0]) - (end[1] - start[1]) - (end[2] - start[2])) / 1000.0);
            }
            for (Side side : sides) {
                System.out.printf(Locale.ROOT, "peak RSS (VmHWM) %s: %d MiB%n", side.name(), rssMib(side.pid(), "VmHWM"));
            }
            call(esUrl, "POST", "/" + DIRECT + "/_refresh", null);
            for (Side side : sides) {
                long count = call(side.url(), "GET", "/" + side.index() + "/_count", null).path("count").asLong(-1);
                System.out.printf(Locale.ROOT, "documents in %s: %d (sent %d)%n", side.name(), count, next);
            }
        } finally {
            if (esRecording > 0) {
                try {
                    JfrShares.stopRecording(esRecording, "bench-es", Path.of(esJfr));
                } catch (Exception e) { // the servers and the node are stopped all the same
                    if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                    LOG.warn("event=bench_es_recording_not_written reason=\"{}\"", e.toString());
                    esRecording = -1;
                }
            }
            for (Process server : servers) {
                server.destroy(); // SIGTERM: the server closes cleanly (and JFR writes its recording)
                if (!server.waitFor(60, TimeUnit.SECONDS)) server.destroyForcibly();
            }
            if (node != null) node.stop();
            dataDirs.forEach(EmbeddedVsElasticsearchDriver::deleteTree);
        }
        printProfiles(esRecording > 0 ? Path.of(esJfr) : null, cpuPer100k);
    }

    /**
     * With {@code -Dbench.jfr} and {@code -Dbench.esJfr}: each server's samples by Lucene's part (indexing, flush,
     * merge, commit) and the rest, and an estimate of what that leaves. When the machine is CPU-bound the docs/s ratio
     * follows the inverse of the CPU per document; the Lucene work stays whatever the server around it does, so
     * bklog / Elasticsearch tops out near (ES CPU per doc) / (bklog's Lucene CPU per doc) even if all the rest of bklog
     * cost nothing. An estimate, not a bound: the share comes from Java samples and is applied to the JVM's CPU
     * without its JIT threads, and the two recordings do not start at the same moment.
     */
    private static void printProfiles(Path esFile, java.util.Map<String, Double> cpuPer100k) throws IOException {
        String jfr = System.getProperty("bench.jfr");
        Path bklogFile = jfr == null || jfr.isBlank() ? null : Path.of(jfr);
        JfrShares.Profile es = esFile != null && Files.exists(esFile) ? JfrShares.read(esFile) : null;
        JfrShares.Profile bklog = bklogFile != null && Files.exists(bklogFile) ? JfrShares.read(bklogFile) : null;
        if (es != null) System.out.println(es.describe("elasticsearch"));
        if (bklog != null) System.out.println(bklog.describe("bklog"));
        Double esCpu = cpuPer100k.get("elasticsearch");
        Double bklogCpu = cpuPer100k.get("bklog");
        if (es != null && bklog != null && esCpu != null && bklogCpu != null) {
            double esLucene = esCpu * es.luceneShare();
            double bklogLucene = bklogCpu * bklog.luceneShare();
            System.out.printf(Locale.ROOT, "CPU-s per 100k docs without JIT threads: elasticsearch %.2f (Lucene %.2f,"
                            + " the rest %.2f), bklog %.2f (Lucene %.2f, the rest %.2f); when CPU-bound bklog /"
                            + " elasticsearch docs/s is about %.2f now, and about %.2f were all of bklog but Lucene"
                            + " free (estimates)%n", esCpu, esLucene, esCpu - esLucene, bklogCpu, bklogLucene,
                    bklogCpu - bklogLucene, esCpu / bklogCpu, esCpu / bklogLucene);
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2; // an even count: the mean of the middle two
    }

    /**
     * CPU ms of a process so far: {total, JIT compiler threads, GC threads} (threads read by name from
     * {@code /proc/<pid>/task}; a thread that ended counts in the total only).
     */
    private static long[] cpuByKind(long pid) {
        long[] out = {EsSideBySide.cpuMillis(pid), 0, 0};
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ms = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
                    if (name.contains("CompilerThre")) out[1] += ms;
                    else if (name.startsWith("GC Thread") || name.startsWith("G1 ")) out[2] += ms;
                } catch (IOException | RuntimeException ignored) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // no /proc: totals only
        }
        return out;
    }

    private static String fmt(double[] ratios) {
        StringBuilder sb = new StringBuilder();
        for (double r : ratios) sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", r));
        return "[" + sb + "]";
    }

    /** The server in its own JVM (so its memory is its own): the same classpath, auth off, data in a temp dir. */
    private static Process startServer(String heap, int port, Path dataDir, String classpath, boolean profiled)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xms" + heap);
        cmd.add("-Xmx" + heap);
        String jfr = System.getProperty("bench.jfr");
        if (profiled && jfr != null && !jfr.isBlank()) {
            cmd.add("-XX:StartFlightRecording=filename=" + Path.of(jfr).toAbsolutePath() + ",settings=profile,"
                    + "dumponexit=true");
        }
        String extra = System.getProperty("bench.serverOpts", "");
        if (!extra.isBlank()) cmd.addAll(Arrays.asList(extra.trim().split("\\s+")));
        cmd.addAll(List.of("-cp", classpath != null ? classpath : System.getProperty("java.class.path"), "io.bklog.server.cli.BklogCommand", "serve",
                "--port", Integer.toString(port), "--data-dir", dataDir.toString()));
        String args = System.getProperty("bench.serverArgs", ""); // e.g. --config FILE
        if (!args.isBlank()) cmd.addAll(Arrays.asList(args.trim().split("\\s+")));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("BKLOG_AUTH_ENABLED", "false");
        pb.environment().put("BKLOG_LOG_LEVEL", System.getProperty("bench.serverLogLevel", "WARN"));
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                dataDir.resolveSibling(dataDir.getFileName() + "-server.log").toFile()));
        return pb.start();
    }

    private void awaitServer(Process server, String url) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) throw new IllegalStateException("bklog server exited with " + server.exitValue());
            try {
                call(url, "GET", "/", null);
                return;
            } catch (IOException | IllegalStateException e) {
                Thread.sleep(200); // polling a child process start-up: nothing to wait on
            }
        }
        throw new IllegalStateException("bklog server did not answer at " + url + " within 2 minutes");
    }

    /** Sends the bodies over {@code clients} connections; answers acknowledged docs/s. */
    private double send(ExecutorService pool, int clients, String base, List<String> bodies, int docs)
            throws Exception {
        // fresh connections each time: one kept from an earlier round may have been closed by the server while idle
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        AtomicInteger nextBody = new AtomicInteger();
        long t0 = System.nanoTime();
        List<Future<Integer>> fs = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            fs.add(pool.submit(() -> {
                int acked = 0;
                for (int i = nextBody.getAndIncrement(); i < bodies.size(); i = nextBody.getAndIncrement()) {
                    acked += bulk(client, base, bodies.get(i));
                }
                return acked;
            }));
        }
        int acked = 0;
        for (Future<Integer> f : fs) acked += f.get(10, TimeUnit.MINUTES);
        if (acked != docs) throw new IllegalStateException(base + " acknowledged " + acked + " of " + docs);
        return docs / ((System.nanoTime() - t0) / 1e9);
    }

    private static int bulk(HttpClient client, String base, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/_bulk"))
                .header("Content-Type", "application/x-ndjson").timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException(base + " _bulk: " + r.statusCode() + " " + r.body());
        JsonNode n = EsSideBySide.JSON.readTree(r.body());
        if (n.path("errors").asBoolean()) {
            throw new IllegalStateException(base + " _bulk item errors: " + r.body().substring(0,
                    Math.min(2000, r.body().length())));
        }
        return n.path("items").size();
    }

    private JsonNode call(String base, String method, String path, String body) throws IOException,
            InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300 && !(method.equals("DELETE") && r.statusCode() == 404)) {
            throw new IllegalStateException(method + " " + base + path + ": " + r.statusCode() + " " + r.body());
        }
        return r.body().isBlank() ? EsSideBySide.JSON.nullNode() : EsSideBySide.JSON.readTree(r.body());
    }

    /** The Elasticsearch server JVM (not its launcher): the largest process running {@code bootstrap.Elasticsearch}. */
    private static long esPid() throws IOException {
        long found = -1;
        long best = -1;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
                    long pid = Long.parseLong(p.getFileName().toString());
                    if (cmd.contains("org.elasticsearch.bootstrap.Elasticsearch") && rssMib(pid, "VmRSS") > best) {
                        best = rssMib(pid, "VmRSS");
                        found = pid;
                    }
                } catch (IOException gone) {
                    // exited meanwhile
                }
            }
        }
        return found;
    }

    /** {@code VmRSS} or {@code VmHWM} (peak) of a process in MiB; -1 when unknown. */
    private static long rssMib(long pid, String key) {
        if (pid < 0) return -1;
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (l.startsWith(key + ":")) {
                    return Long.parseLong(l.substring(key.length() + 1).replace("kB", "").trim()) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String load() {
        return String.format(Locale.ROOT, "%.1f",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir: the OS cleans it eventually
        }
    }
}
