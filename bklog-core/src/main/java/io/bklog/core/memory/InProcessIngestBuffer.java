package io.bklog.core.memory;

import io.bklog.spi.BufferFullException;
import io.bklog.spi.BufferedDocument;
import io.bklog.spi.IngestBuffer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-process {@link IngestBuffer}: a bounded, partitioned queue with consumer groups (Kafka-like, in memory).
 * Records are spread over partitions by key, so order is kept per key. Each group commits per partition; a member
 * that leaves without committing has its records delivered again to the group. Records are kept until every group
 * committed them (or, with no group yet, until one joins and commits); the bound counts kept records, and an
 * {@link #append} that would pass it is refused whole with {@link BufferFullException}. It survives a consumer
 * crash, not a process restart (use Kafka for that). Thread-safe.
 */
public final class InProcessIngestBuffer implements IngestBuffer {

    /** Default bound: 100 000 records. */
    public static final int DEFAULT_CAPACITY = 100_000;
    /** Default partitions: 8. */
    public static final int DEFAULT_PARTITIONS = 8;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final int capacity;
    private final Partition[] partitions;
    private final Map<String, Group> groups = new HashMap<>();
    private long retained;
    private boolean closed;

    public InProcessIngestBuffer() {
        this(DEFAULT_CAPACITY, DEFAULT_PARTITIONS);
    }

    public InProcessIngestBuffer(int capacity) {
        this(capacity, DEFAULT_PARTITIONS);
    }

    public InProcessIngestBuffer(int capacity, int partitionCount) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        if (partitionCount < 1) throw new IllegalArgumentException("partitions must be >= 1, got " + partitionCount);
        this.capacity = capacity;
        this.partitions = new Partition[partitionCount];
        for (int i = 0; i < partitionCount; i++) partitions[i] = new Partition();
    }

    /** An append-only log; {@code base} is the offset of {@code records.get(0)}. */
    private static final class Partition {
        final ArrayList<BufferedDocument> records = new ArrayList<>();
        long base;
        /** offset before which every group has committed */
        long start;

        long end() {
            return base + records.size();
        }

        BufferedDocument get(long offset) {
            return records.get((int) (offset - base));
        }

        void trimTo(long newStart) {
            start = newStart;
            int drop = (int) (newStart - base);
            if (drop > 4096 || (drop > 0 && drop >= records.size() / 2)) {
                records.subList(0, drop).clear();
                base = newStart;
            }
        }
    }

    private final class Group {
        final String name;
        final long[] committed = new long[partitions.length];
        final List<Member> members = new ArrayList<>();
        final Member[] owner = new Member[partitions.length];

        Group(String name) {
            this.name = name;
            for (int p = 0; p < partitions.length; p++) committed[p] = partitions[p].start;
        }

        void rebalance() {
            int n = members.size();
            for (int p = 0; p < partitions.length; p++) {
                Member m = n == 0 ? null : members.get(p % n);
                if (m != owner[p]) {
                    owner[p] = m;
                    if (m != null) m.position[p] = committed[p];
                }
            }
        }
    }

    private final class Member implements Consumer {
        final Group group;
        final long[] position = new long[partitions.length];
        boolean closed;
        int next;

        Member(Group group) {
            this.group = group;
        }

        @Override
        public List<BufferedDocument> poll(int max, Duration timeout) {
            if (max < 1) throw new IllegalArgumentException("max must be >= 1");
            long deadline = System.nanoTime() + timeout.toNanos();
            lock.lock();
            try {
                while (true) {
                    if (closed) throw new IllegalStateException("consumer of group '" + group.name + "' is closed");
                    List<BufferedDocument> out = take(max);
                    if (!out.isEmpty()) return out;
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || InProcessIngestBuffer.this.closed) return List.of();
                    try {
                        changed.awaitNanos(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return List.of();
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        private List<BufferedDocument> take(int max) {
            List<BufferedDocument> out = new ArrayList<>(Math.min(max, 256));
            int n = partitions.length;
            // round-robin over owned partitions, a fair share each pass
            boolean progress = true;
            while (out.size() < max && progress) {
                progress = false;
                for (int k = 0; k < n && out.size() < max; k++) {
                    int p = (next + k) % n;
                    if (group.owner[p] != this) continue;
                    Partition part = partitions[p];
                    int share = Math.max(1, (max - out.size()) / n);
                    for (int i = 0; i < share && position[p] < part.end() && out.size() < max; i++) {
                        out.add(part.get(position[p]++));
                        progress = true;
                    }
                }
            }
            next = (next + 1) % n;
            return out;
        }

        @Override
        public void commit() {
            lock.lock();
            try {
                if (closed) throw new IllegalStateException("consumer of group '" + group.name + "' is closed");
                for (int p = 0; p < partitions.length; p++) {
                    if (group.owner[p] == this && position[p] > group.committed[p]) group.committed[p] = position[p];
                }
                trim();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (closed) return;
                closed = true;
                group.members.remove(this);
                group.rebalance();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public String backendName() {
        return "memory";
    }

    public int capacity() {
        return capacity;
    }

    /** Records kept (appended and not yet committed by every group). */
    public long size() {
        lock.lock();
        try {
            return retained;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void append(List<BufferedDocument> documents) throws BufferFullException {
        if (documents.isEmpty()) return;
        lock.lock();
        try {
            if (closed) throw new IllegalStateException("in-process ingest buffer is closed");
            if (retained + documents.size() > capacity) {
                throw new BufferFullException("in-process ingest buffer is full: " + retained + " of " + capacity
                        + " records not yet committed, " + documents.size() + " more refused; retry after a back-off");
            }
            for (BufferedDocument d : documents) {
                partitions[Math.floorMod(d.key().hashCode(), partitions.length)].records.add(d);
            }
            retained += documents.size();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Consumer consumer(String group) {
        lock.lock();
        try {
            if (closed) throw new IllegalStateException("in-process ingest buffer is closed");
            Group g = groups.computeIfAbsent(group, Group::new);
            Member m = new Member(g);
            g.members.add(m);
            g.rebalance();
            return m;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long pending(String group) {
        lock.lock();
        try {
            Group g = groups.get(group);
            if (g == null) return retained;
            long n = 0;
            for (int p = 0; p < partitions.length; p++) n += partitions[p].end() - g.committed[p];
            return n;
        } finally {
            lock.unlock();
        }
    }

    private void trim() {
        if (groups.isEmpty()) return;
        long total = 0;
        for (int p = 0; p < partitions.length; p++) {
            long min = Long.MAX_VALUE;
            for (Group g : groups.values()) min = Math.min(min, g.committed[p]);
            if (min > partitions[p].start) partitions[p].trimTo(min);
            total += partitions[p].end() - partitions[p].start;
        }
        retained = total;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
