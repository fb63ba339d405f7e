package io.bklog.core.ingest.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import io.bklog.core.ingest.DocumentIds;
import io.bklog.core.ingest.LineHandler;
import io.bklog.core.regex.SafePattern;
import io.bklog.core.ingest.LineSanitizer;
import io.bklog.spi.source.SourceLine;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Tails files matching glob {@code paths} (bklog's {@code paths}, minus {@code exclude_files} regexes). Files are
 * followed by identity (device + inode), so nothing written is lost when a file is rotated:
 * <ul>
 *   <li><b>Rename</b> (logrotate {@code create}, or a daemon that reopens its log late): the old file is no longer
 *   matched, but it is kept open and read on every pass, so what the writer still appends to its old handle is read,
 *   until the file has been idle for {@code closeInactive} (Filebeat's {@code close_inactive}, default 5 min) and
 *   everything in it was read (its last line then even without a newline); a deleted file is read through the handle
 *   this tailer holds. The new file under the old name is read from its start.</li>
 *   <li><b>Truncation</b> (logrotate {@code copytruncate}: the file shrank, or its first bytes changed): the file's
 *   content starts a new <i>generation</i> at offset 0. What the old generation held past the offset read so far is
 *   read first from the copy, when a file in the same directory starts with the same bytes (the first 256) and is
 *   longer than that offset. A new file that reuses the identity of a closed one also starts a new generation.</li>
 * </ul>
 * A line's document id is {@link DocumentIds#ofFilePosition} of the file identity, the generation and the line's
 * byte offset, so a re-read after a crash overwrites instead of duplicating, and lines written after a truncation
 * never take the ids of older lines. Identity, generation, offset and a fingerprint of the first bytes of every open
 * file (and of the last {@value #MAX_CLOSED} closed ones) are checkpointed to a JSON file after each pass that
 * changed them (atomic replace); a restart resumes from them, reads what a file rotated meanwhile still held (found
 * by identity in its directory) and notices a truncation that happened meanwhile. A checkpoint file without
 * generations (older versions) loads with generation 0, whose ids are the ids those versions gave. Lines are handed
 * on when complete: ended by LF, CRLF or a lone CR (never kept in the text). The last line of a file without a final
 * newline is complete once the file has been idle for {@code closeInactive}, or when the tailer is closed (the
 * collector stopped): it is handed on once and the offset checkpointed past it, so a restart does not read it again,
 * and bytes appended later (even without a newline first) start a new line. A refused batch is re-read next pass
 * (backpressure).
 * {@link #poll()} runs one pass synchronously; {@link #start()} runs passes every {@code scanInterval} on a named
 * thread owned by this tailer.
 */
public final class FileTailer implements AutoCloseable {

    /** Filebeat's {@code close_inactive} default. */
    public static final Duration DEFAULT_CLOSE_INACTIVE = Duration.ofMinutes(5);
    /** How many bytes of a file's start identify its content (to notice a truncation and to find its copy). */
    static final int HEAD_BYTES = 256;
    /** How many closed files are remembered, so a new file reusing one's identity starts a new generation. */
    static final int MAX_CLOSED = 256;

    private static final Logger LOG = LoggerFactory.getLogger(FileTailer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HashFunction MURMUR = Hashing.murmur3_128();

    /**
     * Where the tailer stands in one file.
     *
     * @param path       where the file was last matched (for a rotated file: its name before the rotation)
     * @param identity   device + inode
     * @param generation the generation of the file's content (0, then one more per truncation)
     * @param offset     bytes of that generation read and handed on
     * @param rotated    the file is no longer matched (renamed or deleted) and is kept until idle
     */
    public record FilePosition(String path, String identity, long generation, long offset, boolean rotated) {
    }

    /** The first {@code length} bytes of a file, hashed. */
    private record Head(int length, String hash) {
    }

    private record Checkpoint(String key, Path path, long offset, long generation, Head head) {
    }

    private static final class Tracked {
        final String key;
        /** where the file was last matched: the documents' path, and where a rotated file is looked for */
        Path path;
        long offset;
        long generation;
        Head head;
        FileChannel channel;
        boolean seen;
        boolean rotated;
        long lastSize = -1;
        Instant lastActive;

        Tracked(String key, Path path, long offset, long generation, Head head, Instant now) {
            this.key = key;
            this.path = path;
            this.offset = offset;
            this.generation = generation;
            this.head = head;
            this.lastActive = now;
        }

        Checkpoint checkpoint() {
            return new Checkpoint(key, path, offset, generation, head);
        }
    }

    private final List<String> globs;
    private final List<SafePattern> excludes;
    private final LineHandler handler;
    private final Path checkpointFile;
    private final boolean tailFiles;
    private final LineSanitizer sanitizer;
    private final Clock clock;
    private final Duration scanInterval;
    private final Duration closeInactive;
    private final int batchLines;
    /** why a file may not be read (symlinks resolved), or empty; checked before every open */
    private final java.util.function.Function<Path, java.util.Optional<String>> guard;
    private final java.util.Set<String> refusedLogged = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Map<String, Tracked> files = new LinkedHashMap<>();
    /** checkpoints loaded at start, taken by the first pass */
    private final Map<String, Checkpoint> resumed = new LinkedHashMap<>();
    /** closed files, oldest first */
    private final Map<String, Checkpoint> closed = new LinkedHashMap<>();
    private boolean firstScan = true;
    private int handed;
    private byte[] lastSaved;
    private final java.util.function.Supplier<? extends java.util.concurrent.CompletableFuture<?>> stored;
    /** The first offset of a source id the sink still holds (an open multi-line event), or -1. */
    private final java.util.function.ToLongFunction<String> held;
    private final Duration storedWait;
    private boolean stopped;
    private boolean closing;
    private Thread thread;
    private volatile boolean running;

    private FileTailer(Builder b) {
        if (b.paths.isEmpty()) throw new IllegalArgumentException("paths must not be empty");
        if (b.closeInactive.isNegative() || b.closeInactive.isZero()) {
            throw new IllegalArgumentException("closeInactive must be positive but is " + b.closeInactive);
        }
        this.globs = List.copyOf(b.paths);
        List<SafePattern> ex = new ArrayList<>();
        for (String e : b.excludeFiles) ex.add(SafePattern.compile(e));
        this.excludes = ex;
        this.handler = b.handler;
        this.checkpointFile = b.checkpointFile;
        this.stored = b.stored;
        this.held = b.held;
        this.storedWait = b.storedWait;
        this.tailFiles = b.tailFiles;
        this.sanitizer = new LineSanitizer(b.maxLineBytes);
        this.clock = b.clock;
        this.scanInterval = b.scanInterval;
        this.closeInactive = b.closeInactive;
        this.batchLines = b.batchLines;
        this.guard = b.guard;
        loadCheckpoints();
    }

    public static Builder builder(LineHandler handler) {
        return new Builder(handler);
    }

    /** Starts a background thread that polls every {@code scanInterval}. */
    public synchronized void start() {
        if (thread != null || stopped) return;
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
        if (stopped) return 0;
        handed = 0;
        Instant now = clock.instant();
        Map<String, Path> found = scan();
        for (Tracked t : files.values()) t.seen = false;
        for (Map.Entry<String, Path> e : found.entrySet()) {
            Tracked t = files.get(e.getKey());
            if (t == null) {
                t = track(e.getKey(), e.getValue(), now);
                files.put(t.key, t);
            } else if (!t.path.equals(e.getValue())) {
                LOG.info("event=tail_renamed from={} to={}", t.path, e.getValue());
                t.path = e.getValue();
            }
            if (t.rotated) {
                LOG.info("event=tail_matched_again path={} identity={}", t.path, t.key);
                t.rotated = false;
            }
            t.seen = true;
        }
        for (Checkpoint c : resumed.values()) {
            // checkpointed but no longer matched: rotated while stopped, or a rotated file still being read
            if (c.path() == null || files.containsKey(c.key())) continue;
            Tracked t = new Tracked(c.key(), c.path(), c.offset(), c.generation(), c.head(), now);
            t.rotated = true;
            t.seen = true;
            files.put(t.key, t);
            LOG.info("event=tail_resumed_rotated path={} identity={} generation={} offset={}", t.path, t.key,
                    t.generation, t.offset);
        }
        resumed.clear();
        firstScan = false;
        for (Tracked t : files.values()) {
            if (!t.seen && !t.rotated) {
                t.rotated = true;
                LOG.info("event=tail_rotated path={} identity={} generation={} offset={}", t.path, t.key,
                        t.generation, t.offset);
            }
        }
        List<Tracked> done = new ArrayList<>();
        for (Tracked t : files.values()) {
            try {
                if (read(t, now)) done.add(t);
            } catch (IOException e) {
                LOG.warn("event=tail_read_failed path={} reason=\"{}\"", t.path, e.getMessage());
            }
        }
        for (Tracked t : done) {
            files.remove(t.key);
            closeQuietly(t);
            closed.remove(t.key);
            closed.put(t.key, t.checkpoint());
            while (closed.size() > MAX_CLOSED) closed.remove(closed.keySet().iterator().next());
        }
        if (handedOnStored()) saveCheckpoints();
        return handed;
    }

    /** How long a pass waits by default for the lines it handed on to be stored before it leaves the checkpoint. */
    public static final Duration DEFAULT_STORED_WAIT = Duration.ofSeconds(10);

    /**
     * Whether every line handed on so far is stored (or safe in the ingest buffer), so the checkpoint may move past
     * it: a checkpoint saved earlier would lose the lines still in memory if the process were killed now. When the
     * lines are not stored in time the checkpoint stays where it was (a restart reads
     * them again, under the same position ids: nothing twice) and the next pass tries again. Waits up to
     * {@code storedWait} (default {@link #DEFAULT_STORED_WAIT}).
     */
    private boolean handedOnStored() {
        if (stored == null) return true;
        try {
            stored.get().get(storedWait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.info("event=tail_checkpoint_deferred reason=\"lines handed on are not stored yet\" waited_ms={}",
                    storedWait.toMillis());
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("event=tail_checkpoint_deferred reason=\"{}\"", String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** A file matched for the first time in this run: where its checkpoint says, else per tail_files. */
    private Tracked track(String key, Path path, Instant now) {
        Checkpoint c = resumed.remove(key);
        if (c == null) c = closed.remove(key); // its head tells whether the identity now names another file
        if (c != null) return new Tracked(key, path, c.offset(), c.generation(), c.head(), now);
        long start = firstScan && tailFiles ? size(path) : 0;
        return new Tracked(key, path, start, 0, null, now);
    }

    /**
     * Reads what is new in one file. Returns true when a rotated file is done: idle for closeInactive and read to
     * its end (its last partial line included), or gone without a handle left to read it.
     */
    private boolean read(Tracked t, Instant now) throws IOException {
        if (t.channel == null && !open(t)) {
            if (!t.rotated) return false; // replaced between scan and open: next pass
            LOG.info("event=tail_closed path={} identity={} generation={} offset={} reason=gone", t.path, t.key,
                    t.generation, t.offset);
            return true;
        }
        if (t.head == null && t.offset > 0) {
            t.head = head(t.channel, (int) Math.min(HEAD_BYTES, t.offset)); // started at the end, or an old checkpoint
        }
        long size = t.channel.size();
        if (size < t.offset || headChanged(t)) {
            if (!newGeneration(t, size)) return false;
            size = t.channel.size();
        }
        if (size != t.lastSize) {
            t.lastSize = size;
            t.lastActive = now;
        }
        // idle for closeInactive: the last line counts as complete even without a newline (see the class doc)
        boolean idle = !now.isBefore(t.lastActive.plus(closeInactive));
        boolean inactive = t.rotated && idle;
        if (!drain(t, t.channel, idle)) return false;
        if (inactive && t.offset >= t.channel.size()) {
            LOG.info("event=tail_closed path={} identity={} generation={} offset={} reason=inactive"
                    + " idle_seconds={}", t.path, t.key, t.generation, t.offset,
                    Duration.between(t.lastActive, now).toSeconds());
            return true;
        }
        return false;
    }

    /**
     * The file was truncated, or its identity now names another file: what the old generation held past the offset
     * is read from its copy when there is one (copytruncate), then a new generation starts at 0. Returns false when
     * the copy's lines were refused (the truncation is seen again next pass).
     */
    private boolean newGeneration(Tracked t, long size) throws IOException {
        long from = t.offset;
        Path copy = findCopy(t);
        if (copy != null) {
            try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.READ)) {
                if (!drain(t, ch, true)) return false;
            }
        }
        LOG.info("event=tail_truncated path={} identity={} generation={} offset={} size={} copy={}"
                + " recovered_bytes={}", t.path, t.key, t.generation + 1, from, size, copy == null ? "none" : copy,
                t.offset - from);
        t.generation++;
        t.offset = 0;
        t.head = null;
        t.lastSize = -1;
        return true;
    }

    private static boolean headChanged(Tracked t) throws IOException {
        return t.head != null && !t.head.equals(head(t.channel, t.head.length()));
    }

    /** The copy of a truncated file's old generation: same directory, same first bytes, at least the offset long. */
    private Path findCopy(Tracked t) {
        if (t.head == null || t.head.length() == 0) return null;
        Path dir = t.path.toAbsolutePath().getParent();
        Path best = null;
        long bestSize = t.offset - 1; // a copy of exactly the offset read is found too: nothing left to read
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    if (!Files.isRegularFile(p) || t.key.equals(keyOrNull(p)) || !allowed(p)) continue;
                    long n = Files.size(p);
                    if (n <= bestSize) continue;
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                        if (t.head.equals(head(ch, t.head.length()))) {
                            best = p;
                            bestSize = n;
                        }
                    }
                } catch (IOException e) {
                    LOG.debug("event=tail_copy_check_failed path={} reason=\"{}\"", p, e.getMessage());
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.warn("event=tail_copy_search_failed dir={} reason=\"{}\"", dir, e.getMessage());
        }
        return best;
    }

    /** Opens the file of {@code t}; a rotated one is looked for by identity in its directory. */
    private boolean open(Tracked t) throws IOException {
        Path p = t.rotated ? locate(t) : t.path;
        if (p == null || !allowed(p)) return false;
        FileChannel ch;
        try {
            ch = FileChannel.open(p, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (!t.key.equals(keyOrNull(p))) {
            ch.close(); // replaced meanwhile
            return false;
        }
        t.channel = ch;
        return true;
    }

    private static Path locate(Tracked t) {
        if (t.key.equals(keyOrNull(t.path))) return t.path;
        Path dir = t.path.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) return null;
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> t.key.equals(keyOrNull(p))).findFirst().orElse(null);
        } catch (IOException | java.io.UncheckedIOException e) {
            return null;
        }
    }

    /**
     * Reads from the offset to the end of {@code ch}, handing on complete lines (and the last partial one when
     * {@code finalRead}) as lines of {@code t}'s generation. Returns false when a batch was refused.
     */
    private boolean drain(Tracked t, FileChannel ch, boolean finalRead) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long pos = t.offset;
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        long lineStart = pos;
        List<SourceLine> batch = new ArrayList<>();
        long batchEnd = t.offset;
        Instant now = clock.instant();
        int max = sanitizer.maxLineBytes();
        boolean afterCr = false; // a CR ends a line unless LF follows: decided on the next byte
        while (true) {
            buf.clear();
            int n = ch.read(buf, pos);
            if (n <= 0) break;
            byte[] a = buf.array();
            for (int i = 0; i < n; i++) {
                byte c = a[i];
                if (afterCr) {
                    afterCr = false;
                    if (c != '\n') { // a lone CR (classic Mac) ended the line before this byte
                        batch.add(toLine(t, lineStart, line, now));
                        line.reset();
                        lineStart = pos + i;
                        batchEnd = lineStart;
                        if (batch.size() >= batchLines) {
                            if (!hand(batch)) return false;
                            advance(t, ch, batchEnd);
                            batch = new ArrayList<>();
                        }
                    }
                }
                if (c == '\r') afterCr = true;
                if (c == '\n') {
                    batch.add(toLine(t, lineStart, line, now));
                    line.reset();
                    lineStart = pos + i + 1;
                    batchEnd = lineStart;
                    if (batch.size() >= batchLines) {
                        if (!hand(batch)) return false;
                        advance(t, ch, batchEnd);
                        batch = new ArrayList<>();
                    }
                } else if (line.size() <= max || c == '\r') {
                    line.write(c); // past the limit: dropped bytes, the sanitizer cuts and marks the line
                }
            }
            pos += n;
        }
        if (finalRead && pos > lineStart) {
            batch.add(toLine(t, lineStart, line, now));
            batchEnd = pos;
        }
        if (!batch.isEmpty() && !hand(batch)) return false;
        advance(t, ch, batchEnd);
        return true;
    }

    /**
     * Moves the offset past lines handed on, and fingerprints the first bytes read (up to {@link #HEAD_BYTES}) at
     * once, so a truncation that follows is noticed even when a later batch is refused.
     */
    private static void advance(Tracked t, FileChannel ch, long offset) throws IOException {
        t.offset = offset;
        int want = (int) Math.min(HEAD_BYTES, offset);
        if (want > 0 && (t.head == null || t.head.length() < want)) t.head = head(ch, want);
    }

    private boolean hand(List<SourceLine> batch) {
        if (!handler.accept(batch)) return false;
        handed += batch.size();
        return true;
    }

    private static Head head(FileChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, b.position()) <= 0) break;
        }
        return new Head(b.position(), MURMUR.hashBytes(b.array(), 0, b.position()).toString());
    }

    private SourceLine toLine(Tracked t, long start, ByteArrayOutputStream line, Instant now) {
        byte[] b = line.toByteArray();
        int len = b.length;
        if (len > 0 && b[len - 1] == '\r') len--;
        LineSanitizer.Result r = sanitizer.sanitize(b, 0, len);
        String sourceId = "file:" + t.key;
        return new SourceLine(sourceId, start, r.text(), t.path.toString(), now, Map.of(), r.truncated(),
                r.invalidUtf8(), DocumentIds.ofFilePosition(sourceId, t.generation, start));
    }

    /**
     * Whether the file may be read: the guard checks its real path (symlinks resolved), so a link under an allowed
     * root pointing elsewhere is never opened. A refusal is logged once per file.
     */
    private boolean allowed(Path p) {
        java.util.Optional<String> why = guard.apply(p);
        if (why.isEmpty()) return true;
        if (refusedLogged.add(p.toString())) {
            LOG.warn("event=tail_path_refused path={} reason=\"{}\"", p, why.get());
        }
        return false;
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
                    for (SafePattern ex : excludes) if (ex.find(name)) return;
                    if (!allowed(p)) return;
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

    private static String keyOrNull(Path p) {
        try {
            return key(p);
        } catch (IOException e) {
            return null;
        }
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
            for (JsonNode f : root.path("files")) {
                Checkpoint c = checkpoint(f);
                resumed.put(c.key(), c);
            }
            for (JsonNode f : root.path("closed")) {
                Checkpoint c = checkpoint(f);
                closed.put(c.key(), c);
            }
            firstScan = false; // a resumed tailer reads new files from the start
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read tail checkpoint file " + checkpointFile + ": " + e.getMessage(), e);
        }
    }

    /** One entry; {@code generation} and the head fingerprint are absent in files of older versions. */
    private static Checkpoint checkpoint(JsonNode f) {
        Head head = f.hasNonNull("head_hash") ? new Head(f.path("head_bytes").asInt(), f.path("head_hash").asText())
                : null;
        Path path = f.hasNonNull("path") ? Paths.get(f.path("path").asText()) : null;
        return new Checkpoint(f.path("key").asText(), path, f.path("offset").asLong(), f.path("generation").asLong(0),
                head);
    }

    private static void write(ArrayNode arr, Checkpoint c) {
        ObjectNode o = arr.addObject().put("key", c.key()).put("path", c.path() == null ? null : c.path().toString())
                .put("offset", c.offset()).put("generation", c.generation());
        if (c.head() != null) o.put("head_bytes", c.head().length()).put("head_hash", c.head().hash());
    }

    /**
     * The checkpoint no further than the first line of an event the sink still holds for this file (an open
     * multi-line event is not stored yet: a restart reads it again, under the same ids).
     */
    private Checkpoint held(Checkpoint c) {
        if (held == null) return c;
        long h = held.applyAsLong("file:" + c.key());
        return h >= 0 && h < c.offset() ? new Checkpoint(c.key(), c.path(), h, c.generation(), c.head()) : c;
    }

    private void saveCheckpoints() {
        if (checkpointFile == null) return;
        ObjectNode root = JSON.createObjectNode();
        ArrayNode arr = root.putArray("files");
        for (Tracked t : files.values()) write(arr, held(t.checkpoint()));
        for (Checkpoint c : resumed.values()) write(arr, c); // not yet taken by a pass
        ArrayNode done = root.putArray("closed");
        for (Checkpoint c : closed.values()) write(done, held(c));
        try {
            byte[] bytes = JSON.writeValueAsBytes(root);
            if (java.util.Arrays.equals(bytes, lastSaved)) return;
            Path dir = checkpointFile.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".tail", ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, checkpointFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            lastSaved = bytes;
        } catch (IOException e) {
            LOG.error("event=tail_checkpoint_failed file={} reason=\"{}\"", checkpointFile, e.getMessage());
        }
    }

    /** Offsets of the files matched now, by path (for tests and status pages); rotated files are in positions(). */
    public synchronized Map<String, Long> offsets() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Tracked t : files.values()) if (!t.rotated) m.put(t.path.toString(), t.offset);
        return m;
    }

    /** Every file followed: the matched ones and the rotated ones still being read. */
    public synchronized List<FilePosition> positions() {
        List<FilePosition> out = new ArrayList<>();
        for (Tracked t : files.values()) {
            out.add(new FilePosition(t.path.toString(), t.key, t.generation, t.offset, t.rotated));
        }
        return out;
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

    /** Stops the thread, closes the files and writes the checkpoint; no pass runs afterwards. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            stopped = true;
            t = thread;
            if (!closing) {
                closing = true;
                for (Tracked f : files.values()) {
                    // stopped: a last line without a newline is complete now (see the class doc)
                    if (f.channel == null) continue;
                    try {
                        drain(f, f.channel, true);
                    } catch (IOException e) {
                        LOG.warn("event=tail_final_read_failed path={} reason=\"{}\"", f.path, e.getMessage());
                    }
                }
            }
            for (Tracked f : files.values()) closeQuietly(f);
            if (handedOnStored()) saveCheckpoints();
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(scanInterval.toMillis() + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Builder. Defaults: tail_files true (files present at the first start are read from their end), 1 s scan,
     * close_inactive 5 min, batches of 500 lines.
     */
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
        private Duration closeInactive = DEFAULT_CLOSE_INACTIVE;
        private java.util.function.Supplier<? extends java.util.concurrent.CompletableFuture<?>> stored;
        private java.util.function.ToLongFunction<String> held;
        private Duration storedWait = DEFAULT_STORED_WAIT;
        private java.util.function.Function<Path, java.util.Optional<String>> guard = p -> java.util.Optional.empty();

        private Builder(LineHandler handler) {
            this.handler = handler;
        }

        /** Glob paths, e.g. {@code /var/log/app/*.log}, {@code /data/**}/{@code *.log}. */
        public Builder paths(List<String> v) { this.paths = v; return this; }
        /** Regexes of paths to skip (bklog's {@code exclude_files}). */
        public Builder excludeFiles(List<String> v) { this.excludeFiles = v; return this; }
        public Builder checkpointFile(Path v) { this.checkpointFile = v; return this; }

        /**
         * What completes once every line handed on so far is stored (the pipeline's {@code handedOnStored}); the
         * checkpoint moves only then, so a kill -9 never skips a line that was read but not yet stored. Default
         * none: the checkpoint moves once the handler took the lines.
         */
        public Builder stored(java.util.function.Supplier<? extends java.util.concurrent.CompletableFuture<?>> v) {
            this.stored = v;
            return this;
        }

        /**
         * The first offset of a source id ({@code file:...}) the sink still holds in an open multi-line event, or -1
         * ({@code LineSink.heldFrom}); checkpoints never pass it. Default: none held.
         */
        public Builder held(java.util.function.ToLongFunction<String> v) {
            this.held = v;
            return this;
        }

        /** How long a pass waits for {@link #stored}; default {@link #DEFAULT_STORED_WAIT}. */
        public Builder storedWait(Duration v) { this.storedWait = v; return this; }
        /** bklog's {@code tail_files}: files found at the very first start are read from their end. */
        public Builder tailFiles(boolean v) { this.tailFiles = v; return this; }
        public Builder maxLineBytes(int v) { this.maxLineBytes = v; return this; }
        public Builder clock(Clock v) { this.clock = v; return this; }
        public Builder scanInterval(Duration v) { this.scanInterval = v; return this; }
        public Builder batchLines(int v) { this.batchLines = v; return this; }
        /**
         * Filebeat's {@code close_inactive}: a rotated (renamed or deleted) file is kept open, and what is still
         * written to it read, until nothing was written to it for this long and it was read to its end. Default 5 min.
         */
        public Builder closeInactive(Duration v) { this.closeInactive = v; return this; }

        /**
         * Why a file may not be read, or empty when it may; asked before every file is opened (found by a scan, a
         * rotated file found by identity, a copytruncate copy). Default: every file may be read.
         */
        public Builder fileGuard(java.util.function.Function<Path, java.util.Optional<String>> v) {
            this.guard = java.util.Objects.requireNonNull(v, "guard");
            return this;
        }

        public FileTailer build() {
            return new FileTailer(this);
        }
    }
}
