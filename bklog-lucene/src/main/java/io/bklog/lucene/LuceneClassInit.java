package io.bklog.lucene;

/**
 * Initialises Lucene's classes that reference each other from their static initialisers on one thread, once, before
 * the store is used from several.
 *
 * <p>In Lucene 9.12 {@code IndexWriter}, {@code ConcurrentMergeScheduler}, {@code SegmentReader} and
 * {@code FilterIndexInput} each hand an accessor to {@code org.apache.lucene.internal.tests.TestSecrets} while
 * {@code TestSecrets}'s own initialiser initialises all four: the first write and the first search of a fresh JVM,
 * on two threads, can each hold one class's initialisation lock and wait forever for the other's
 * (apache/lucene#12419, #15119; fixed upstream by apache/lucene#15864). Initialising {@code TestSecrets} first
 * initialises the four in its fixed order, so no thread can meet another half way.
 */
final class LuceneClassInit {
    static final String TEST_SECRETS = "org.apache.lucene.internal.tests.TestSecrets";

    private LuceneClassInit() {
    }

    /** Initialises the classes (idempotent; the JVM runs each initialiser once). */
    static void ensure() {
        try {
            Class.forName(TEST_SECRETS, true, LuceneClassInit.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            // a Lucene without TestSecrets has no such cycle
        }
    }
}
