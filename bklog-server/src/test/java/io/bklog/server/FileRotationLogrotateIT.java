package io.bklog.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.mask.Masker;
import io.bklog.core.search.ExportService;
import io.bklog.core.search.SearchParams;
import io.bklog.server.config.AuthConfig;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.StoreConfig;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A file collector under Debian's real {@code logrotate}: a writer appends 2,000 numbered lines a second to
 * {@code app.log} for about 35 s while logrotate rotates it eight times, 3 s apart, alternating {@code create}
 * (rename; the writer keeps writing to its old handle and reopens 1.5 s later) and {@code copytruncate}, and the
 * server is stopped and started twice, each time with a rotation while it is down. Every line written must be stored exactly once: the search count
 * equals the lines written and every sequence number is there once.
 *
 * <p>copytruncate itself loses what is written between its copy and its truncation (logrotate's man page says so);
 * nothing that reads the file can get those lines back. So, as an application that cares about its logs does, the
 * writer pauses while logrotate copies and truncates: the {@code prerotate} script raises a flag and waits for the
 * writer to acknowledge it, {@code postrotate} lowers it. The tailer still has to read what it had not read before
 * the truncation (from the copy) and must not give the lines written after it the ids of older lines.
 */
class FileRotationLogrotateIT {

    private static final Logger LOG = LoggerFactory.getLogger(FileRotationLogrotateIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path LOGROTATE = Path.of("/usr/sbin/logrotate");
    private static final int LINES_PER_SECOND = 2_000;
    private static final int LINES_PER_STEP = 6_000; // a rotation every 3 s
    private static final Duration LATE_REOPEN = Duration.ofMillis(1_500);
    private static final Pattern SEQ = Pattern.compile("^seq=(\\d{8}) ");

    private final HttpClient http = HttpClient.newHttpClient();

    /** Appends numbered lines at a steady rate through an O_APPEND handle, as a daemon does. */
    private static final class Writer implements Runnable {
        private final Path file;
        private final Path pauseFlag;
        private final Path pausedFlag;
        /** the writer stops before this sequence number; at most 60 s of lines */
        private final AtomicLong limit = new AtomicLong(60L * LINES_PER_SECOND);
        private final AtomicLong written = new AtomicLong();
        private final AtomicLong reopenAtNanos = new AtomicLong(Long.MAX_VALUE);
        /** the first line of what app.log holds now (after a reopen or a truncation) */
        private final AtomicLong firstOfFile = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean stop;

        Writer(Path file, Path pauseFlag, Path pausedFlag) {
            this.file = file;
            this.pauseFlag = pauseFlag;
            this.pausedFlag = pausedFlag;
        }

        private FileChannel open() throws IOException {
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        }

        @Override
        public void run() {
            long start = System.nanoTime();
            String pad = "x".repeat(40);
            FileChannel out = null;
            try {
                out = open();
                for (long seq = 0; seq < limit.get() && !stop; seq++) {
                    long wait = start + seq * 1_000_000_000L / LINES_PER_SECOND - System.nanoTime();
                    if (wait > 0) LockSupport.parkNanos(wait);
                    if (System.nanoTime() >= reopenAtNanos.get()) { // logrotate create: reopen, late
                        reopenAtNanos.set(Long.MAX_VALUE);
                        out.close();
                        out = open();
                        firstOfFile.set(seq);
                    }
                    if (Files.exists(pauseFlag)) {
                        holdWhileCopyTruncating();
                        firstOfFile.set(seq);
                    }
                    String line = String.format("seq=%08d rotation test %s%n", seq, pad);
                    ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
                    while (b.hasRemaining()) out.write(b); // one write(2) per line: no torn lines
                    written.set(seq + 1);
                }
            } catch (Throwable e) {
                failure.set(e);
            } finally {
                try {
                    if (out != null) out.close();
                } catch (IOException ignored) {
                    // done anyway
                }
            }
        }

        private void holdWhileCopyTruncating() throws IOException {
            Files.writeString(pausedFlag, "");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (Files.exists(pauseFlag)) {
                if (System.nanoTime() > until) throw new IllegalStateException("logrotate never lowered " + pauseFlag);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            Files.deleteIfExists(pausedFlag);
        }

        void awaitWritten(long n) {
            await().atMost(Duration.ofSeconds(30)).until(() -> written.get() >= n || failure.get() != null);
            assertThat(failure.get()).as("writer failed").isNull();
        }
    }

    private JsonNode call(BklogServer s, String method, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.uri() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isLessThan(300);
        return JSON.readTree(r.body());
    }

    private long total(BklogServer s) throws Exception {
        return call(s, "POST", "/api/v1/index_sets/rotation/search", "{\"size\": 0}").get("total").asLong();
    }

    /**
     * Waits until the tailer has read a line of what app.log holds now: more distinct lines are stored than were
     * written before it. A file must be scanned once before it is rotated (bklog cannot know a file it never saw).
     */
    private void awaitReadFromCurrentFile(BklogServer s, Writer writer) {
        long first = writer.firstOfFile.get();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> total(s) > first);
    }

    private static void logrotate(Path conf, Path state) throws Exception {
        Process p = new ProcessBuilder(LOGROTATE.toString(), "-f", "-s", state.toString(), conf.toString())
                .redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("logrotate did not finish within 30 s: " + conf);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("logrotate -f " + conf + ": " + output).isZero();
    }

    /** Ranges of sequence numbers below {@code n} that are not set, e.g. {@code [1200..1499]}, at most 10. */
    private static List<String> missing(BitSet seen, long n) {
        List<String> out = new ArrayList<>();
        int from = seen.nextClearBit(0);
        while (from < n && out.size() < 10) {
            int next = seen.nextSetBit(from);
            int to = next < 0 || next > n ? (int) n : next;
            out.add("[" + from + ".." + (to - 1) + "]");
            from = seen.nextClearBit(to);
        }
        return out;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyLineWrittenThroughLogrotateRotationsAndServerRestartsIsStoredExactlyOnce(@TempDir Path dataDir,
                                                                                      @TempDir Path logDir)
            throws Exception {
        assertThat(Files.isExecutable(LOGROTATE))
                .as("this test runs Debian's real logrotate, and " + LOGROTATE + " is missing: apt-get install -y"
                        + " logrotate (./run-tests installs it)").isTrue();
        Path log = logDir.resolve("app.log");
        Path pause = logDir.resolve("rotate.pause");
        Path paused = logDir.resolve("rotate.paused");
        Path state = logDir.resolve("logrotate.state");
        Path create = logDir.resolve("create.conf");
        Path copytruncate = logDir.resolve("copytruncate.conf");
        // rotate 3: older rotated files are deleted, so inodes are freed and may be reused by new files
        Files.writeString(create, log + " {\n  rotate 3\n  create\n  nocompress\n  missingok\n}\n");
        Files.writeString(copytruncate, log + " {\n  rotate 3\n  copytruncate\n  nocompress\n  missingok\n"
                + "  prerotate\n    touch " + pause + "; i=0; while [ ! -e " + paused + " ] && [ $i -lt 1000 ];"
                + " do sleep 0.01; i=$((i+1)); done\n  endscript\n"
                + "  postrotate\n    rm -f " + pause + "\n  endscript\n}\n");
        Files.createFile(log);

        BklogConfig config = new BklogConfig(new ServerConfig("127.0.0.1", 0, 1 << 20), dataDir.toString(),
                StoreConfig.defaults()).withAuth(new AuthConfig(false))
                .withCollectors(new io.bklog.server.config.CollectorsConfig(
                        new io.bklog.server.config.CollectorsConfig.FileCollectors(java.util.List.of(logDir.toString())), null));
        Writer writer = new Writer(log, pause, paused);
        Thread writing = new Thread(writer, "rotation-it-writer");
        writing.setDaemon(true);

        BklogServer server = BklogServer.start(config);
        try {
            call(server, "PUT", "/api/v1/index_sets/rotation", "");
            call(server, "POST", "/api/v1/collectors", "{\"name\": \"rotated_app\", \"index_set\": \"rotation\","
                    + " \"source_type\": \"file\", \"source_params\": {\"paths\": [\"" + log + "\"],"
                    + " \"tail_files\": false, \"scan_frequency\": 1, \"close_inactive\": 3}}");
            writing.start();
            // a rotation 3 s after the previous step ended, once the tailer has read from the current file
            long next = LINES_PER_STEP;
            for (String what : new String[]{"create", "copytruncate", "restart+create", "copytruncate", "create",
                    "restart+copytruncate", "create", "copytruncate"}) {
                writer.awaitWritten(next);
                awaitReadFromCurrentFile(server, writer);
                boolean restart = what.startsWith("restart+");
                String mode = restart ? what.substring("restart+".length()) : what;
                LOG.info("event=rotation_it_step lines={} step={}", writer.written.get(), what);
                if (restart) server.close();
                if (mode.equals("create")) {
                    logrotate(create, state);
                    writer.reopenAtNanos.set(System.nanoTime() + LATE_REOPEN.toNanos());
                } else {
                    logrotate(copytruncate, state);
                }
                if (restart) {
                    writer.awaitWritten(writer.written.get() + LINES_PER_SECOND * 2L); // down 2 s: the late reopen too
                    server = BklogServer.start(config);
                }
                next = writer.written.get() + LINES_PER_STEP;
            }
            writer.limit.set(next); // 3 s more after the last rotation
            writing.join(Duration.ofSeconds(20).toMillis());
            assertThat(writing.isAlive()).as("writer still running").isFalse();
            assertThat(writer.failure.get()).as("writer failed").isNull();
            long written = writer.written.get();
            assertThat(written).isEqualTo(writer.limit.get());

            BklogServer s = server;
            try {
                await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(500))
                        .until(() -> total(s) >= written);
            } catch (ConditionTimeoutException e) {
                LOG.warn("event=rotation_it_incomplete stored={} written={}", total(s), written); // which: below
            }

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new ExportService(s.platform().indexSets(), s.platform().search(), s.platform().internals().store())
                    .write("rotation", SearchParams.of(""), ExportService.Format.JSONL, Masker.none(), out,
                            Long.MAX_VALUE, n -> { });
            BitSet seen = new BitSet();
            long duplicates = 0;
            for (String row : out.toString(StandardCharsets.UTF_8).split("\n")) {
                if (row.isEmpty()) continue;
                Matcher m = SEQ.matcher(JSON.readTree(row).path("log").asText());
                assertThat(m.find()).as("a written line: " + row).isTrue();
                int seq = Integer.parseInt(m.group(1));
                if (seen.get(seq)) duplicates++;
                seen.set(seq);
            }
            assertThat(missing(seen, written)).as("sequence numbers written but not stored").isEmpty();
            assertThat(duplicates).as("lines stored twice").isZero();
            assertThat(seen.cardinality()).as("distinct sequence numbers").isEqualTo(written);
            assertThat(total(s)).as("search count").isEqualTo(written);
        } finally {
            writer.stop = true;
            server.close();
        }
    }
}
