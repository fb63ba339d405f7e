package io.bklog.lucene;

import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.ByteBuffersDirectory;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Run in a fresh JVM by {@link LuceneClassInitTest}: loads the store class (as the platform does before any thread
 * writes or searches), then makes the first {@code IndexWriter} and the first {@code ConcurrentMergeScheduler} on
 * two threads at once — the race of apache/lucene#12419 — and exits 0 when both finish, 3 when they hang.
 */
public final class LuceneClassInitRace {
    private LuceneClassInitRace() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !args[0].equals("without-store")) {
            Class.forName(LuceneLogStore.class.getName(), true, LuceneClassInitRace.class.getClassLoader());
        }
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(2);
        Thread writer = new Thread(() -> {
            try {
                start.await();
                new IndexWriter(new ByteBuffersDirectory(), new IndexWriterConfig()).close();
                done.countDown();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread scheduler = new Thread(() -> {
            try {
                start.await();
                new ConcurrentMergeScheduler().close();
                done.countDown();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.setDaemon(true);
        scheduler.setDaemon(true);
        writer.start();
        scheduler.start();
        start.countDown();
        System.exit(done.await(20, TimeUnit.SECONDS) ? 0 : 3);
    }
}
