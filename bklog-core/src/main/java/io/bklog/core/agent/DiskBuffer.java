package io.bklog.core.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.spi.BufferFullException;
import io.bklog.spi.BufferedDocument;
import io.bklog.spi.IngestBuffer;
import io.bklog.spi.LogDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The agent's disk-backed buffer: documents made by the collectors' pipelines wait here until a server took them.
 * Append-only segment files of JSON lines ({@code seg-<first seq>.jsonl}, rolled at {@link #SEGMENT_BYTES}) under one
 * directory, each append written and {@code fsync}ed before it returns (so a file offset committed after it survives
 * a {@code kill -9} or a power cut), and the sequence number of the last record a server acknowledged in
 * {@code committed} (replaced atomically). A segment whose records are all committed is deleted.
 *
 * <p>Bounded: an append that would take the files past {@code maxBytes} throws {@link BufferFullException} and
 * appends nothing — the pipelines then hold their lines and the file sources stop reading (backpressure) instead of
 * dropping. After a restart reading resumes at the first record after {@code committed}; a record shipped but not
 * committed (the answer was lost, or the agent was killed) is shipped again with the same document id, so the server
 * overwrites it instead of storing it twice. A torn last line (a crash in the middle of a write) is cut off: its
 * append never returned, so its lines were never committed at their source and are read again.
 *
 * <p>One reader ({@link #poll}, {@link #commit}); appends from any thread. Each record remembers the collector that
 * made it, so {@link #pendingByCollector()} reports each collector's lag.
 */
public final class DiskBuffer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DiskBuffer.class);
    /** A segment is closed and a new one begun past this size. */
    public static final long SEGMENT_BYTES = 8L << 20;
    /** The default bound: 512 MiB. */
    public static final long DEFAULT_MAX_BYTES = 512L << 20;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_LONG_FOR_INTS);
    private static final String COMMITTED = "committed";

    /** One buffered document and the collector that made it. */
    public record Entry(long seq, String collector, BufferedDocument document) {
    }

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    /** Segment files by their first sequence number. */
    private final TreeMap<Long, Path> segments = new TreeMap<>();
    private final Map<String, Long> pendingByCollector = new LinkedHashMap<>();
    private FileChannel active;
    private long activeFirst;
    private long bytes;
    private long nextSeq;
    private long committed;
    /** Where the reader is: the segment (by first seq) and the byte offset in it; records before it were polled. */
    private long readSegment;
    private long readOffset;
    private long lastPolled;
    /** Records polled and not committed, to count them off their collectors on commit. */
    private final List<Entry> polled = new ArrayList<>();
    private long fullRefusals;
    private long writeFailures;
    private boolean closed;

    private DiskBuffer(Path dir, long maxBytes, long segmentBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
    }

    /** Opens (and recovers) the buffer in {@code dir}, bounded by {@code maxBytes} of segment files. */
    public static DiskBuffer open(Path dir, long maxBytes) {
        return open(dir, maxBytes, SEGMENT_BYTES);
    }

    /** As {@link #open(Path, long)} with a segment size of its own (tests roll segments early). */
    public static DiskBuffer open(Path dir, long maxBytes, long segmentBytes) {
        if (maxBytes <= 0) throw new IllegalArgumentException("buffer max bytes must be > 0, got " + maxBytes);
        // a segment is at most a quarter of the bound: the active one is deleted only once rolled, so a bound
        // below the segment size would otherwise fill up with one segment that is never deleted
        DiskBuffer b = new DiskBuffer(Objects.requireNonNull(dir, "dir"), maxBytes,
                Math.max(1024, Math.min(segmentBytes, maxBytes / 4)));
        try {
            b.recover();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the agent buffer in " + dir + ": " + e.getMessage(), e);
        }
        return b;
    }

    private void recover() throws IOException {
        AgentFiles.privateDir(dir);
        Path c = dir.resolve(COMMITTED);
        committed = Files.exists(c) ? Long.parseLong(Files.readString(c).trim()) : 0;
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> p.getFileName().toString().matches("seg-\\d+\\.jsonl")).forEach(p -> {
                String n = p.getFileName().toString();
                segments.put(Long.parseLong(n.substring(4, n.length() - 6)), p);
            });
        }
        nextSeq = committed + 1;
        long recovered = 0;
        for (Map.Entry<Long, Path> e : List.copyOf(segments.entrySet())) {
            byte[] data = Files.readAllBytes(e.getValue());
            int good = 0;
            int start = 0;
            int lastGood = 0;
            for (int i = 0; i < data.length; i++) {
                if (data[i] != '\n') continue;
                Entry en = parse(new String(data, start, i - start, StandardCharsets.UTF_8));
                good = i + 1;
                start = i + 1;
                if (en == null) { // a corrupt record: skipped, the good ones after it are kept
                    log.warn("event=agent_buffer_corrupt_record segment={} at_byte={}", e.getValue().getFileName(),
                            good);
                    continue;
                }
                lastGood = good;
                nextSeq = Math.max(nextSeq, en.seq() + 1);
                if (en.seq() > committed) {
                    pendingByCollector.merge(en.collector(), 1L, Long::sum);
                    recovered++;
                }
            }
            if (good < data.length) {
                log.warn("event=agent_buffer_torn_tail segment={} cut_bytes={}", e.getValue().getFileName(),
                        data.length - good);
                try (FileChannel ch = FileChannel.open(e.getValue(), StandardOpenOption.WRITE)) {
                    ch.truncate(good);
                    ch.force(true);
                }
            }
            if (lastGood == 0) {
                Files.delete(e.getValue());
                segments.remove(e.getKey());
            } else {
                bytes += good;
            }
        }
        readSegment = segments.isEmpty() ? nextSeq : segments.firstKey();
        readOffset = 0;
        lastPolled = committed;
        skipCommitted();
        dropCommittedSegments();
        log.info("event=agent_buffer_opened dir={} pending_records={} bytes={} max_bytes={} committed_seq={}", dir,
                recovered, bytes, maxBytes, committed);
    }

    /** Moves the read position past records at or below {@code committed} (after a restart). */
    private void skipCommitted() throws IOException {
        while (true) {
            List<Entry> batch = read(1000, true);
            if (batch.isEmpty()) return;
        }
    }

    private static Entry parse(String line) {
        try {
            JsonNode n = JSON.readTree(line);
            if (n == null || !n.has("s") || !n.has("d") || !n.has("i") || !n.has("f")) return null;
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = JSON.convertValue(n.get("f"), Map.class);
            LogDocument doc = new LogDocument(n.get("d").asText(), Instant.ofEpochMilli(n.path("t").asLong()), fields);
            return new Entry(n.get("s").asLong(), n.path("c").asText(""),
                    new BufferedDocument(n.get("i").asText(), n.path("k").asText(null), doc));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
    }

    /** An {@link IngestBuffer} for one collector's pipeline: appends here, stamped with the collector's name. */
    public IngestBuffer forCollector(String collector) {
        Objects.requireNonNull(collector, "collector");
        DiskBuffer self = this;
        return new IngestBuffer() {
            @Override
            public String backendName() {
                return "agent-disk";
            }

            @Override
            public void append(List<BufferedDocument> documents) throws BufferFullException {
                self.append(collector, documents);
            }

            @Override
            public Consumer consumer(String group) {
                throw new UnsupportedOperationException("the agent buffer has one reader, the agent's shipper");
            }

            @Override
            public long pending(String group) {
                return self.pendingByCollector().getOrDefault(collector, 0L);
            }
        };
    }

    /**
     * Appends the documents, written and fsynced before it returns. Throws {@link BufferFullException} (nothing
     * appended) when they would take the buffer past its bound; a batch alone larger than the bound is taken when the
     * buffer is empty, so it cannot block forever.
     */
    public synchronized void append(String collector, List<BufferedDocument> documents) throws BufferFullException {
        if (closed) throw new IllegalStateException("the agent buffer is closed");
        if (documents.isEmpty()) return;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long seq = nextSeq;
        try {
            for (BufferedDocument d : documents) {
                ObjectNode n = JSON.createObjectNode();
                n.put("s", seq++);
                n.put("c", collector);
                n.put("i", d.indexSet());
                n.put("k", d.key());
                n.put("d", d.document().id());
                n.put("t", d.document().timestamp().toEpochMilli());
                n.set("f", JSON.valueToTree(d.document().fields()));
                out.write(JSON.writeValueAsBytes(n));
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes + out.size() > maxBytes && bytes > 0) {
            fullRefusals++;
            throw new BufferFullException("the agent buffer is full (" + bytes + " of " + maxBytes + " bytes): the"
                    + " servers have not taken what it holds yet");
        }
        long before = -1;
        try {
            if (active == null || active.size() >= segmentBytes) roll();
            before = active.size();
            ByteBuffer buf = ByteBuffer.wrap(out.toByteArray());
            while (buf.hasRemaining()) active.write(buf);
            active.force(false);
        } catch (IOException | UncheckedIOException e) {
            // ENOSPC, EIO: nothing of this append counts (the torn write is cut), and the caller is told as for a
            // full buffer, so its pipeline holds the lines and offers them again later; an unchecked error would
            // make the multi-line aggregator take the same lines twice
            try {
                if (active != null && before >= 0) active.truncate(before);
                if (active != null && before <= 0) { // a new segment: begun again by the next append
                    active.close();
                    active = null;
                    Path p = segments.remove(activeFirst);
                    if (p != null) Files.deleteIfExists(p);
                }
            } catch (IOException ignored) {
                // the torn tail is cut on the next open
            }
            writeFailures++;
            log.warn("event=agent_buffer_write_failed dir={} docs={} write_failures={} reason=\"{}\"", dir,
                    documents.size(), writeFailures, e.toString());
            throw new BufferFullException("cannot write the agent buffer in " + dir + " (" + e.getMessage()
                    + "); the lines are held and offered again");
        }
        bytes += out.size();
        nextSeq = seq;
        pendingByCollector.merge(collector, (long) documents.size(), Long::sum);
        notifyAll();
    }

    private void roll() throws IOException {
        if (active != null) active.close();
        Path p = dir.resolve(String.format("seg-%020d.jsonl", nextSeq));
        active = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        AgentFiles.privateFile(p);
        activeFirst = nextSeq;
        segments.put(nextSeq, p);
        // make the new file's directory entry durable too
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be opened; the file's own fsync still holds its data
        }
    }

    /**
     * Up to {@code max} records after the last polled one, waiting up to {@code timeout} for the first. The reader
     * commits them with {@link #commit()} once a server took them, or {@link #rewind()}s to poll them again.
     */
    public synchronized List<Entry> poll(int max, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Entry> out;
            try {
                out = read(max, false);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the agent buffer in " + dir + ": " + e.getMessage(), e);
            }
            if (!out.isEmpty() || closed) {
                polled.addAll(out);
                return out;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) return out;
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /**
     * Reads complete records from the read position, moving it past them. With {@code skipping}: only moves past
     * records at or below {@code committed} and returns nothing.
     */
    private List<Entry> read(int max, boolean skipping) throws IOException {
        List<Entry> out = new ArrayList<>();
        while (out.size() < max) {
            Path seg = segments.get(readSegment);
            if (seg == null) {
                Long k = segments.ceilingKey(readSegment);
                if (k == null) return out;
                readSegment = k;
                readOffset = 0;
                seg = segments.get(k);
            }
            try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ)) {
                long size = ch.size();
                if (readOffset >= size) {
                    Long next = segments.higherKey(readSegment);
                    if (next == null) return out; // at the end of what was written
                    readSegment = next;
                    readOffset = 0;
                    continue;
                }
                int chunk = (int) Math.min(256 << 10, size - readOffset); // grows while no record ends in it
                byte[] data;
                int lastNl;
                while (true) {
                    ByteBuffer buf = ByteBuffer.allocate(chunk);
                    while (buf.hasRemaining() && ch.read(buf, readOffset + buf.position()) > 0) {
                        // read the chunk whole
                    }
                    data = buf.array();
                    lastNl = -1;
                    for (int i = data.length - 1; i >= 0; i--) if (data[i] == '\n') { lastNl = i; break; }
                    if (lastNl >= 0) break;
                    if (chunk >= size - readOffset) return out; // no complete record (cannot happen: appends are whole)
                    chunk = (int) Math.min((long) chunk * 2, size - readOffset);
                }
                int start = 0;
                for (int i = 0; i <= lastNl; i++) {
                    if (data[i] != '\n') continue;
                    Entry e = parse(new String(data, start, i - start, StandardCharsets.UTF_8));
                    if (skipping && e != null && e.seq() > committed) return out; // the first pending one
                    readOffset += i + 1 - start;
                    start = i + 1;
                    if (e != null && e.seq() > lastPolled) {
                        lastPolled = e.seq();
                        if (!skipping) out.add(e);
                        if (out.size() >= max) return out;
                    }
                }
            }
        }
        return out;
    }

    /**
     * Marks every record polled so far as taken by a server: persisted, so a restart does not ship them again, and
     * their segments are deleted when wholly taken.
     */
    public synchronized void commit() {
        if (lastPolled <= committed) return;
        try {
            Path tmp = dir.resolve(COMMITTED + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                AgentFiles.privateFile(tmp);
                ch.write(ByteBuffer.wrap(Long.toString(lastPolled).getBytes(StandardCharsets.US_ASCII)));
                ch.force(true);
            }
            try {
                Files.move(tmp, dir.resolve(COMMITTED), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(COMMITTED), StandardCopyOption.REPLACE_EXISTING);
            }
            committed = lastPolled;
            for (Entry e : polled) {
                pendingByCollector.computeIfPresent(e.collector(), (k, v) -> v <= 1 ? null : v - 1);
            }
            polled.clear();
            dropCommittedSegments();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit the agent buffer in " + dir + ": " + e.getMessage(), e);
        }
        notifyAll();
    }

    /** Forgets what was polled and not committed: the next poll returns it again. */
    public synchronized void rewind() {
        if (polled.isEmpty()) return;
        lastPolled = committed;
        readSegment = segments.isEmpty() ? nextSeq : segments.firstKey();
        readOffset = 0;
        polled.clear();
        try {
            skipCommitted();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Deletes segments every record of which is committed; the one being written too when wholly committed (the
     * next append begins a new one), so a small bound never stalls on a segment that cannot be deleted.
     */
    private void dropCommittedSegments() throws IOException {
        if (active != null && nextSeq - 1 <= committed) {
            active.close();
            active = null;
        }
        while (!segments.isEmpty()) {
            Map.Entry<Long, Path> first = segments.firstEntry();
            Map.Entry<Long, Path> next = segments.higherEntry(first.getKey());
            boolean writing = active != null && first.getKey() == activeFirst;
            if (next == null || writing || next.getKey() - 1 > committed) {
                if (next == null && !writing && nextSeq - 1 <= committed) {
                    // the last segment, closed (after a restart) and wholly committed
                    bytes -= Files.size(first.getValue());
                    Files.deleteIfExists(first.getValue());
                    segments.remove(first.getKey());
                    readSegment = nextSeq;
                    readOffset = 0;
                }
                return;
            }
            bytes -= Files.size(first.getValue());
            Files.deleteIfExists(first.getValue());
            segments.remove(first.getKey());
            if (readSegment == first.getKey()) {
                readSegment = next.getKey();
                readOffset = 0;
            }
        }
    }

    /** Records appended and not committed. */
    public synchronized long pending() {
        return nextSeq - 1 - committed;
    }

    /** Not-committed records by the collector that made them. */
    public synchronized Map<String, Long> pendingByCollector() {
        return Map.copyOf(pendingByCollector);
    }

    /** Bytes of segment files on disk (what the bound counts). */
    public synchronized long bytes() {
        return bytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** How many appends failed to write (disk full, I/O error) and were refused as when full. */
    public synchronized long writeFailures() {
        return writeFailures;
    }

    /** How many appends were refused because the buffer was full (the sources were held back). */
    public synchronized long fullRefusals() {
        return fullRefusals;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            if (active != null) active.close();
        } catch (IOException e) {
            log.warn("event=agent_buffer_close_failed dir={} reason=\"{}\"", dir, e.toString());
        }
        notifyAll();
    }
}
