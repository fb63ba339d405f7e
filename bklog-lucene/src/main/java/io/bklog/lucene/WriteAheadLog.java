package io.bklog.lucene;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The write-ahead log: every acknowledged batch is appended and fsynced here before it reaches Lucene, and
 * replayed on open. Files {@code wal-{generation}.log} hold records {@code [int length][int crc32c][payload]};
 * a torn record at the tail (a crash mid-write, never acknowledged) ends the replay of that file.
 * Concurrent appenders share one fsync (group commit). After a Lucene commit the generations it covers are deleted.
 */
final class WriteAheadLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WriteAheadLog.class);

    /** One document of a batch as logged. */
    record Entry(String id, long timestamp, byte[] source) {}

    /** One logged batch of an index set. */
    record Batch(String indexSet, List<Entry> entries) {}

    private final Path dir;
    private final Object writeLock = new Object();
    private final Object syncLock = new Object();
    private FileChannel channel;
    private long generation;
    private long written;
    private volatile long synced;
    private long bytesInGeneration;

    WriteAheadLog(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        long max = generations().stream().mapToLong(Long::longValue).max().orElse(0);
        openGeneration(max + 1);
    }

    private void openGeneration(long gen) throws IOException {
        generation = gen;
        channel = FileChannel.open(file(gen), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Json.fsyncDirectory(dir);
        written = 0;
        synced = 0;
        bytesInGeneration = 0;
    }

    private Path file(long gen) {
        return dir.resolve(String.format("wal-%019d.log", gen));
    }

    /** Generations on disk, ascending. */
    List<Long> generations() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("wal-") && n.endsWith(".log"))
                    .map(n -> Long.parseLong(n.substring(4, n.length() - 4)))
                    .sorted().toList();
        }
    }

    static byte[] encode(String indexSet, List<Entry> entries) {
        // sized exactly and written in place: the batch's bytes are copied once (was a growing stream + a copy)
        byte[] set = modifiedUtf8(indexSet);
        byte[][] ids = new byte[entries.size()][];
        int size = 8 + set.length + 4;
        for (int i = 0; i < ids.length; i++) {
            Entry e = entries.get(i);
            ids[i] = modifiedUtf8(e.id());
            size += ids[i].length + 8 + 4 + e.source().length;
        }
        byte[] record = new byte[size];
        ByteBuffer out = ByteBuffer.wrap(record);
        out.position(8);
        out.put(set);
        out.putInt(entries.size());
        for (int i = 0; i < ids.length; i++) {
            Entry e = entries.get(i);
            out.put(ids[i]);
            out.putLong(e.timestamp());
            out.putInt(e.source().length);
            out.put(e.source());
        }
        CRC32C crc = new CRC32C();
        crc.update(record, 8, record.length - 8);
        out.putInt(0, record.length - 8);
        out.putInt(4, (int) crc.getValue());
        return record;
    }

    /** {@link DataOutputStream#writeUTF}'s bytes (length-prefixed modified UTF-8), as {@code readUTF} reads them. */
    private static byte[] modifiedUtf8(String s) {
        boolean ascii = s.length() <= 0xFFFF;
        for (int i = 0; ascii && i < s.length(); i++) {
            char c = s.charAt(i);
            ascii = c >= 1 && c < 0x80;
        }
        if (ascii) {
            byte[] b = new byte[2 + s.length()];
            b[0] = (byte) (s.length() >>> 8);
            b[1] = (byte) s.length();
            for (int i = 0; i < s.length(); i++) b[2 + i] = (byte) s.charAt(i);
            return b;
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(2 + 3 * s.length());
            new DataOutputStream(bytes).writeUTF(s);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Appends a record and returns once it is on stable storage. Returns the generation written to, so a
     * caller can tell whether a later commit covers it.
     */
    void appendAndSync(byte[] record) throws IOException {
        long end;
        FileChannel ch;
        synchronized (writeLock) {
            ByteBuffer buf = ByteBuffer.wrap(record);
            while (buf.hasRemaining()) channel.write(buf);
            written += record.length;
            bytesInGeneration += record.length;
            end = written;
            ch = channel;
        }
        synchronized (syncLock) {
            if (ch != currentChannel() || synced >= end) return; // rolled (forced on roll) or synced by another
            long target;
            synchronized (writeLock) {
                target = written;
            }
            ch.force(false);
            synced = target;
        }
    }

    private FileChannel currentChannel() {
        synchronized (writeLock) {
            return channel;
        }
    }

    long bytesInGeneration() {
        synchronized (writeLock) {
            return bytesInGeneration;
        }
    }

    /**
     * Starts a new generation (the old one is forced and closed) and returns the old generation's number; every
     * record appended before this call is in a generation ≤ the returned one.
     */
    long roll() throws IOException {
        synchronized (syncLock) {
            synchronized (writeLock) {
                channel.force(false);
                channel.close();
                long old = generation;
                openGeneration(old + 1);
                return old;
            }
        }
    }

    /** Deletes generations up to and including {@code gen}, once a Lucene commit made them redundant. */
    void deleteUpTo(long gen) throws IOException {
        for (long g : generations()) {
            if (g <= gen) Files.deleteIfExists(file(g));
        }
    }

    /** Reads every intact record of generations before the open one, oldest first. */
    List<Batch> readExisting() throws IOException {
        List<Batch> out = new ArrayList<>();
        for (long g : generations()) {
            if (g >= generation) continue;
            int before = out.size();
            try (InputStream in = Files.newInputStream(file(g))) {
                readRecords(new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16)), out);
            }
            LOG.info("wal replay generation={} batches={}", g, out.size() - before);
        }
        return out;
    }

    private static void readRecords(DataInputStream in, List<Batch> out) throws IOException {
        while (true) {
            int length;
            int crc;
            try {
                length = in.readInt();
                crc = in.readInt();
            } catch (EOFException e) {
                return;
            }
            if (length <= 0 || length > (1 << 30)) {
                LOG.warn("wal torn record length={}; stopping replay of this file", length);
                return;
            }
            byte[] payload = new byte[length];
            try {
                in.readFully(payload);
            } catch (EOFException e) {
                LOG.warn("wal torn record at tail (never acknowledged); stopping replay of this file");
                return;
            }
            CRC32C c = new CRC32C();
            c.update(payload);
            if ((int) c.getValue() != crc) {
                LOG.warn("wal record checksum mismatch (torn write, never acknowledged); stopping replay of this file");
                return;
            }
            DataInputStream p = new DataInputStream(new java.io.ByteArrayInputStream(payload));
            String set = p.readUTF();
            int n = p.readInt();
            List<Entry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String id = p.readUTF();
                long ts = p.readLong();
                byte[] src = new byte[p.readInt()];
                p.readFully(src);
                entries.add(new Entry(id, ts, src));
            }
            out.add(new Batch(set, entries));
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (syncLock) {
            synchronized (writeLock) {
                channel.force(false);
                channel.close();
            }
        }
    }
}
