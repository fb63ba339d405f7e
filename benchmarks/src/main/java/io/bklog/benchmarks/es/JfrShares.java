package io.bklog.benchmarks.es;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where a JVM's CPU went under an ingest load, by the JFR execution samples of a recording: Lucene's indexing chain
 * (inverting, doc values, stored fields of each document), its flushes, merges and commits, and everything that is
 * not Lucene (HTTP, parsing, mapping, the write-ahead log or translog, the answer). Read side by side for both servers
 * of {@link EmbeddedVsElasticsearchDriver}: the Lucene work both do for the same documents stays whatever the server
 * around it does, so it caps, roughly (an estimate from Java samples), the ratio of their docs/s when the machine is
 * CPU-bound.
 *
 * <p>Also recording a running Elasticsearch node: {@link #startRecording} and {@link #stopRecording} through
 * {@code jcmd}, as the user owning the node's JVM (the test fixture runs it as its own user when started by root).
 */
final class JfrShares {
    /**
     * The categories, in the order a sample is tried against them; the first with one of its methods on the stack
     * wins (a method named in full; {@code lucene other}: any Lucene frame). A sample is Lucene's when a Lucene frame
     * is anywhere on its stack, so code that Lucene calls back (an analyzer of the server's) counts as Lucene's.
     */
    static final List<String[]> CATEGORIES = List.of(
            new String[] {"lucene merge", "org.apache.lucene.index.IndexWriter.merge",
                    "org.apache.lucene.index.IndexWriter.maybeMerge"},
            new String[] {"lucene flush", "org.apache.lucene.index.DocumentsWriterPerThread.flush"},
            new String[] {"lucene commit", "org.apache.lucene.index.IndexWriter.prepareCommitInternal"},
            new String[] {"lucene indexing", "org.apache.lucene.index.IndexingChain.processDocument"},
            new String[] {"lucene other"});
    private static final String LUCENE = "org.apache.lucene.";
    static final String REST = "not lucene";

    private JfrShares() {}

    /** The execution samples of one recording: how many, and each category's share in percent ({@link #REST} last). */
    record Profile(Path recording, long samples, Map<String, Double> shares) {
        /** One line: each category's share of the samples. */
        String describe(String name) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "profile %s (%s, %d samples):", name,
                    recording, samples));
            for (Map.Entry<String, Double> e : shares.entrySet()) {
                b.append(String.format(Locale.ROOT, " %s %.1f %%,", e.getKey(), e.getValue()));
            }
            return b.append(String.format(Locale.ROOT, " Lucene in all %.1f %%", 100 * luceneShare())).toString();
        }

        /** The Lucene share, in [0, 1]. */
        double luceneShare() {
            return (100.0 - shares.get(REST)) / 100.0;
        }
    }

    /** Reads the execution samples of {@code recording} once, by category. */
    static Profile read(Path recording) throws IOException {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String[] c : CATEGORIES) counts.put(c[0], 0L);
        counts.put(REST, 0L);
        long n = 0;
        try (RecordingFile f = new RecordingFile(recording)) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) continue;
                n++;
                List<String> frames = new ArrayList<>();
                for (RecordedFrame fr : e.getStackTrace().getFrames()) {
                    frames.add(fr.getMethod().getType().getName() + "." + fr.getMethod().getName());
                }
                counts.merge(category(frames), 1L, Long::sum);
            }
        }
        Map<String, Double> shares = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            shares.put(e.getKey(), n == 0 ? 0 : 100.0 * e.getValue() / n);
        }
        return new Profile(recording, n, shares);
    }

    private static String category(List<String> frames) {
        for (String[] c : CATEGORIES) {
            List<String> methods = List.of(c).subList(1, c.length);
            if (methods.isEmpty() ? frames.stream().anyMatch(fr -> fr.startsWith(LUCENE))
                    : frames.stream().anyMatch(methods::contains)) {
                return c[0];
            }
        }
        return REST;
    }

    /** Starts a recording ({@code settings=profile}) named {@code name} in the JVM {@code pid}, through jcmd. */
    static void startRecording(long pid, String name) throws IOException, InterruptedException {
        jcmd(pid, "JFR.start", "name=" + name, "settings=profile");
    }

    /**
     * Stops the recording {@code name} of the JVM {@code pid} and writes it to {@code target}: first into a fresh
     * directory the JVM's user may write to, then copied.
     */
    static void stopRecording(long pid, String name, Path target) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("bklog-bench-jfr");
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            Path tmp = dir.resolve(name + ".jfr");
            jcmd(pid, "JFR.stop", "name=" + name, "filename=" + tmp);
            Files.copy(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Runs jcmd on {@code pid} as the user owning that JVM; fails on a non-zero exit or after 60 s. */
    private static void jcmd(long pid, String... args) throws IOException, InterruptedException {
        if (pid <= 0) throw new IOException("no JVM to run jcmd on (pid " + pid + ")");
        List<String> cmd = new ArrayList<>();
        String owner = Files.getOwner(Path.of("/proc", Long.toString(pid))).getName();
        if (!owner.equals(System.getProperty("user.name"))) cmd.addAll(List.of("runuser", "-u", owner, "--"));
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(pid));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("bklog-bench-jcmd", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("jcmd " + String.join(" ", args) + " did not end within 60 s for pid " + pid);
            }
            if (p.exitValue() != 0) {
                throw new IOException("jcmd " + String.join(" ", args) + " failed for pid " + pid + ": "
                        + Files.readString(out).strip());
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
