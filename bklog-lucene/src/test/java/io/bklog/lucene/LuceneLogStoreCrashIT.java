package io.bklog.lucene;

import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.AggregationResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kill -9 durability: a child JVM ingests batches and prints what was acknowledged; it is killed with
 * {@code destroyForcibly} mid-ingest (twice, the second child replaying the first one's log), then the store is
 * reopened and every acknowledged document must be there exactly once.
 */
class LuceneLogStoreCrashIT {
    static final int BATCH = 200;

    @TempDir
    Path dir;

    @Test
    void losesNoAcknowledgedDocumentAndDuplicatesNoneAfterKillMinus9() throws Exception {
        Set<String> acked = new HashSet<>();
        acked.addAll(runAndKill(1, 25, 150));
        acked.addAll(runAndKill(2, 25, 5_000));
        assertThat(acked).hasSizeGreaterThanOrEqualTo(2 * 25 * BATCH);
        assertAllStoredOnce(acked);
    }

    @Test
    void commitEveryBatchModeAlsoSurvivesKillMinus9() throws Exception {
        Set<String> acked = new HashSet<>(runAndKill(1, 15, 0));
        assertAllStoredOnce(acked);
    }

    private void assertAllStoredOnce(Set<String> acked) {

        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.refresh("crash");
            SearchResult r = store.search(SearchRequest.builder("crash").size(0)
                    .aggregation("ids", new Aggregation.Terms("docId", 1_000_000)).build());
            List<AggregationResult.Bucket> buckets = ((AggregationResult.TermsResult) r.aggregations().get("ids")).buckets();
            Set<String> stored = new HashSet<>();
            List<String> duplicated = new ArrayList<>();
            for (AggregationResult.Bucket b : buckets) {
                stored.add(b.key());
                if (b.count() != 1) duplicated.add(b.key() + " x" + b.count());
            }
            Set<String> lost = new HashSet<>(acked);
            lost.removeAll(stored);
            System.out.printf("crash IT: acknowledged=%d stored=%d total=%d lost=%d duplicated=%d%n",
                    acked.size(), stored.size(), r.total(), lost.size(), duplicated.size());
            assertThat(lost).as("acknowledged but lost").isEmpty();
            assertThat(duplicated).as("duplicated").isEmpty();
            assertThat(r.total()).isEqualTo(stored.size());
        }
    }

    /** Starts a child, waits for {@code minAcks} acknowledged batches, kills it, returns the acknowledged ids. */
    private Set<String> runAndKill(int round, int minAcks, long commitMillis) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CrashIngestChild.class.getName(), dir.toString(), String.valueOf(round), String.valueOf(BATCH),
                String.valueOf(commitMillis));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process child = pb.start();
        Set<String> acked = new HashSet<>();
        int acks = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    int batch = Integer.parseInt(line.split(" ")[2]);
                    for (int i = 0; i < BATCH; i++) acked.add(CrashIngestChild.id(round, batch, i));
                    if (++acks >= minAcks) {
                        child.destroyForcibly();
                        break;
                    }
                } else if (line.startsWith("FAILED")) {
                    throw new AssertionError("child round " + round + " got a failed batch: " + line);
                }
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child exited").isTrue();
        }
        assertThat(acks).as("child round %d acknowledged batches before dying (exit %d)", round, child.exitValue())
                .isGreaterThanOrEqualTo(minAcks);
        return acked;
    }
}
