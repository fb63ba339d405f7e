package io.bklog.lucene;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lucene 9.12's class initialisers can deadlock when a fresh JVM's first write and first search (or merge
 * scheduler) start on two threads at once (apache/lucene#12419): seen once in this project, a server hanging at its
 * first ingest. Loading {@link LuceneLogStore} initialises those classes on one thread first. Each run is a fresh JVM
 * (class initialisation happens once per JVM).
 */
class LuceneClassInitTest {

    private static int race(String... args) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var cmd = new java.util.ArrayList<>(java.util.List.of(javaBin, "-cp", System.getProperty("java.class.path"),
                LuceneClassInitRace.class.getName()));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    @Test
    void theFirstWriterAndMergeSchedulerOnTwoThreadsNeverDeadlockOnceTheStoreClassIsLoaded() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(race()).as("run %d: 0 = both threads finished, 3 = deadlocked in class initialisation", i)
                    .isZero();
        }
    }

    @Test
    void initialisesLucenesTestSecretsWhichInitialisesTheCycleInOneOrder() throws Exception {
        LuceneClassInit.ensure();
        // TestSecrets is there in this Lucene, so the guard does real work (a Lucene without it has no cycle)
        assertThat(Class.forName(LuceneClassInit.TEST_SECRETS, false, getClass().getClassLoader())).isNotNull();
    }
}
