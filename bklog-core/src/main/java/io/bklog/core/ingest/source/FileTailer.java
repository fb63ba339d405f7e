package io.bklog.core.ingest.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.core.ingest.LineHandler;
import io.bklog.core.ingest.LineSanitizer;
import io.bklog.core.ingest.SourceLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Tails files matching glob {@code paths} (bklog's {@code paths}, minus {@code exclude_files} regexes). Files are
 * followed by identity (device + inode), so a rotation by rename keeps reading the old file to its end and picks
 * up the new one from the start; a file that shrank was truncated and is re-read from 0. Offsets are checkpointed
 * to a JSON file after each pass (atomic replace), and a restart resumes from them. A line's document id derives
 * from the file identity and the line's byte offset, so a re-read after a crash never duplicates. Lines are
 * handed on only when complete (ending in LF; CR stripped); a refused batch is re-read next pass (backpressure).
 * {@link #poll()} runs one pass synchronously; {@link #start()} runs passes every {@code scanInterval} on a named
 * thread owned by this tailer.
 */
public final class FileTailer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FileTailer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final class Tracked {
        final String key;
        Path path;
        long offset;
        FileChannel channel;
        boolean seen;
        /** the first bytes of the file (up to 256), to notice a truncate-and-rewrite to the same size */
        byte[] head;

        Tracked(String key, Path path, long offset) {
            this.key = key;
            this.path = path;
            this.offset = offset;
        }
    }

    private final List<String> globs;
    private final List<Pattern> excludes;
    private final LineHandler handler;
    private final Path checkpointFile;
    private final boolean tailFiles;
    private final LineSanitizer sanitizer;
    private final Clock clock;
    private final Duration scanInterval;
    private final int batchLines;
    private final Map<String, Tracked> files = new LinkedHashMap<>();
    private final Map<String, Long> checkpoints = new HashMap<>();
    private boolean firstScan = true;
    private Thread thread;
    private volatile boolean running;

    private FileTailer(Builder b) {
        if (b.paths.isEmpty()) throw new IllegalArgumentException("paths must not be empty");
        this.globs = List.copyOf(b.paths);
        List<Pattern> ex = new ArrayList<>();
        for (String e : b.excludeFiles) ex.add(Pattern.compile(e));
        this.excludes = ex;
        this.handler = b.handler;
        this.checkpointFile = b.checkpointFile;
        this.tailFiles = b.tailFiles;
        this.sanitizer = new LineSanitizer(b.maxLineBytes);
        this.clock = b.clock;
        this.scanInterval = b.scanInterval;
        this.batchLines = b.batchLines;
        loadCheckpoints();
    }

    public static Builder builder(LineHandler handler) {
        return new Builder(handler);
    }

    /** Starts a background thread that polls every {@code scanInterval}. */
    public synchronized void start() {
        if (thread != null) return;
        running = true;
        thread = new Thread(() -> {
            while (running) {
                try {
                    poll();
                } catch (RuntimeException e) {
                    LOG.error("event=tail_pass_failed", e);
                }
                try {
                    Thread.sleep(scanInterval.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bklog-tail");
        thread.setDaemon(true);
        thread.start();
    }

    /** One pass: find files, read what is new, checkpoint. Returns the number of lines handed on. */
    public synchronized int poll() {
        Map<String, Path> found = scan();
        for (Tracked t : files.values()) t.seen = false;
        for (Map.Entry<String, Path> e : found.entrySet()) {
            Tracked t = files.get(e.getKey());
            if (t == null) {
                long start = checkpoints.getOrDefault(e.getKey(), -1L);
                if (start < 0) {
                    start = firstScan && tailFiles ? size(e.getValue()) : 0;
                }
                t = new Tracked(e.getKey(), e.getValue(), start);
                files.put(e.getKey(), t);
            } else if (!t.path.equals(e.getValue())) {
                LOG.info("event=tail_renamed from={} to={}", t.path, e.getValue());
                t.path = e.getValue();
            }
            t.seen = true;
        }
        firstScan = false;
        int lines = 0;
        List<String> gone = new ArrayList<>();
        for (Tracked t : files.values()) {
            try {
                lines += read(t, !t.seen);
            } catch (IOException e) {
                LOG.warn("event=tail_read_failed path={} reason=\"{}\"", t.path, e.getMessage());
            }
            if (!t.seen) gone.add(t.key);
        }
        for (String k : gone) {
            Tracked t = files.remove(k);
            closeQuietly(t);
            checkpoints.remove(k);
        }
        for (Tracked t : files.values()) checkpoints.put(t.key, t.offset);
        saveCheckpoints();
        return lines;
    }

    /** Reads new complete lines of one file; at the end of a file no longer matched, the last partial line too. */
    private int read(Tracked t, boolean finalRead) throws IOException {
        if (t.channel == null) {
            try {
                t.channel = FileChannel.open(t.path, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return 0;
            }
            if (!key(t.path).equals(t.key)) {
                // replaced between scan and open: pick it up next pass
                closeQuietly(t);
                return 0;
            }
        }
        long size = t.channel.size();
        if (size < t.offset || (t.head != null && !java.util.Arrays.equals(t.head, head(t.channel, t.head.length)))) {
            LOG.info("event=tail_truncated path={} offset={} size={}", t.path, t.offset, size);
            t.offset = 0;
            t.head = null;
        }
        int total = 0;
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long pos = t.offset;
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        long lineStart = pos;
        List<SourceLine> batch = new ArrayList<>();
        long batchEnd = t.offset;
        Instant now = clock.instant();
        int max = sanitizer.maxLineBytes();
        while (true) {
            buf.clear();
            int n = t.channel.read(buf, pos);
            if (n <= 0) break;
            byte[] a = buf.array();
            for (int i = 0; i < n; i++) {
                byte c = a[i];
                if (c == '\n') {
                    batch.add(toLine(t, lineStart, line, now));
                    line.reset();
                    lineStart = pos + i + 1;
                    batchEnd = lineStart;
                    if (batch.size() >= batchLines) {
                        if (!handler.accept(batch)) return total;
                        total += batch.size();
                        t.offset = batchEnd;
                        batch = new ArrayList<>();
                    }
                } else if (line.size() <= max) {
                    line.write(c); // past the limit: dropped bytes, the sanitizer cuts and marks the line
                }
            }
            pos += n;
        }
        if (finalRead && line.size() > 0) {
            batch.add(toLine(t, lineStart, line, now));
            batchEnd = pos;
        }
        if (!batch.isEmpty()) {
            if (!handler.accept(batch)) return total;
            total += batch.size();
        }
        t.offset = batchEnd;
        int want = (int) Math.min(256, t.offset);
        if (want > 0 && (t.head == null || t.head.length < want)) t.head = head(t.channel, want);
        return total;
    }

    private static byte[] head(FileChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, b.position()) <= 0) break;
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    private SourceLine toLine(Tracked t, long start, ByteArrayOutputStream line, Instant now) {
        byte[] b = line.toByteArray();
        int len = b.length;
        if (len > 0 && b[len - 1] == '\r') len--;
        LineSanitizer.Result r = sanitizer.sanitize(b, 0, len);
        return new SourceLine("file:" + t.key, start, r.text(), t.path.toString(), now, Map.of(), r.truncated(),
                r.invalidUtf8(), null);
    }

    /** Files matching the globs and no exclude, by identity. */
    private Map<String, Path> scan() {
        Map<String, Path> out = new LinkedHashMap<>();
        for (String glob : globs) {
            Path base = baseDir(glob);
            if (!Files.isDirectory(base)) continue;
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            int depth = Math.max(1, Paths.get(glob).getNameCount() - base.getNameCount());
            if (glob.contains("**")) depth = Integer.MAX_VALUE;
            try (Stream<Path> s = Files.walk(base, depth)) {
                s.filter(Files::isRegularFile).filter(m::matches).forEach(p -> {
                    String name = p.toString();
                    for (Pattern ex : excludes) if (ex.matcher(name).find()) return;
                    try {
                        out.putIfAbsent(key(p), p);
                    } catch (IOException e) {
                        LOG.debug("event=tail_stat_failed path={}", p);
                    }
                });
            } catch (IOException | java.io.UncheckedIOException e) {
                LOG.warn("event=tail_scan_failed glob={} reason=\"{}\"", glob, e.getMessage());
            }
        }
        return out;
    }

    private static Path baseDir(String glob) {
        Path p = Paths.get(glob);
        Path base = p.getRoot() == null ? Paths.get("") : p.getRoot();
        for (Path part : p) {
            String s = part.toString();
            if (s.contains("*") || s.contains("?") || s.contains("[") || s.contains("{")) break;
            base = base.resolve(s);
        }
        if (base.equals(p)) base = p.getParent() == null ? Paths.get("") : p.getParent();
        return base.toString().isEmpty() ? Paths.get(".") : base;
    }

    private static String key(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        Object k = a.fileKey();
        return k != null ? k.toString() : p.toAbsolutePath() + "@" + a.creationTime().toMillis();
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private void loadCheckpoints() {
        if (checkpointFile == null || !Files.exists(checkpointFile)) return;
        try {
            JsonNode root = JSON.readTree(checkpointFile.toFile());
            for (JsonNode f : root.path("files")) checkpoints.put(f.path("key").asText(), f.path("offset").asLong());
            firstScan = false; // a resumed tailer reads new files from the start
        } catch (IOException e) {
            throw new IllegalStateException("cannot read tail checkpoint file " + checkpointFile + ": " + e.getMessage(), e);
        }
    }

    private void saveCheckpoints() {
        if (checkpointFile == null) return;
        ObjectNode root = JSON.createObjectNode();
        ArrayNode arr = root.putArray("files");
        Set<String> done = new HashSet<>();
        for (Tracked t : files.values()) {
            arr.addObject().put("key", t.key).put("path", t.path.toString()).put("offset", t.offset);
            done.add(t.key);
        }
        try {
            Path dir = checkpointFile.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".tail", ".tmp");
            JSON.writeValue(tmp.toFile(), root);
            Files.move(tmp, checkpointFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.error("event=tail_checkpoint_failed file={} reason=\"{}\"", checkpointFile, e.getMessage());
        }
    }

    /** Offsets by file identity (for tests and status pages). */
    public synchronized Map<String, Long> offsets() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Tracked t : files.values()) m.put(t.path.toString(), t.offset);
        return m;
    }

    private static void closeQuietly(Tracked t) {
        if (t != null && t.channel != null) {
            try {
                t.channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            t.channel = null;
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) thread.interrupt();
        for (Tracked t : files.values()) closeQuietly(t);
        saveCheckpoints();
    }

    /** Builder. Defaults: tail_files true (files present at the first start are read from their end), 1 s scan. */
    public static final class Builder {
        private final LineHandler handler;
        private List<String> paths = List.of();
        private List<String> excludeFiles = List.of();
        private Path checkpointFile;
        private boolean tailFiles = true;
        private int maxLineBytes = LineSanitizer.DEFAULT_MAX_LINE_BYTES;
        private Clock clock = Clock.systemUTC();
        private Duration scanInterval = Duration.ofSeconds(1);
        private int batchLines = 500;

        private Builder(LineHandler handler) {
            this.handler = handler;
        }

        /** Glob paths, e.g. {@code /var/log/app/*.log}, {@code /data/**}/{@code *.log}. */
        public Builder paths(List<String> v) { this.paths = v; return this; }
        /** Regexes of paths to skip (bklog's {@code exclude_files}). */
        public Builder excludeFiles(List<String> v) { this.excludeFiles = v; return this; }
        public Builder checkpointFile(Path v) { this.checkpointFile = v; return this; }
        /** bklog's {@code tail_files}: files found at the very first start are read from their end. */
        public Builder tailFiles(boolean v) { this.tailFiles = v; return this; }
        public Builder maxLineBytes(int v) { this.maxLineBytes = v; return this; }
        public Builder clock(Clock v) { this.clock = v; return this; }
        public Builder scanInterval(Duration v) { this.scanInterval = v; return this; }
        public Builder batchLines(int v) { this.batchLines = v; return this; }

        public FileTailer build() {
            return new FileTailer(this);
        }
    }
}
