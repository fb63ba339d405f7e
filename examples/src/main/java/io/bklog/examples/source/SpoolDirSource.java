package io.bklog.examples.source;

import io.bklog.spi.source.Receipt;
import io.bklog.spi.source.Source;
import io.bklog.spi.source.SourceContext;
import io.bklog.spi.source.SourceLine;
import io.bklog.spi.source.SourceStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The {@code spooldir} source: one named thread polls the directory; each file's new complete lines go to the sink
 * as one batch with the file name as source id and the line number as position; the position is committed (written
 * to the state file) only once the sink's receipt says the lines are stored. A batch the sink refuses is offered
 * again at the next poll; a batch whose storage failed is read again from the committed position.
 */
final class SpoolDirSource implements Source {

    private final Path directory;
    private final Duration pollInterval;
    private final SourceContext context;
    private final Path stateFile;
    private final System.Logger log;
    /** Lines committed (stored) per file. */
    private final Map<String, Long> committed = new TreeMap<>();
    /** Lines handed to the sink per file (committed or in flight). */
    private final Map<String, Long> delivered = new HashMap<>();
    private volatile ScheduledExecutorService poller;
    private volatile boolean stopped;
    private volatile long lines;

    SpoolDirSource(Path directory, Duration pollInterval, SourceContext context) {
        this.directory = directory;
        this.pollInterval = pollInterval;
        this.context = context;
        this.stateFile = directory.resolve(".bklog-spooldir-" + context.collector().replaceAll("[^A-Za-z0-9_.-]", "_")
                + ".properties");
        this.log = System.getLogger(context.loggerName());
    }

    @Override
    public synchronized void start() throws IOException {
        if (poller != null || stopped) throw new IllegalStateException("a spooldir source is started once");
        if (!Files.isDirectory(directory)) throw new IOException("directory " + directory + " does not exist");
        loadState();
        delivered.putAll(committed);
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spooldir-" + context.collector());
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::poll, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void poll() {
        try {
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, "*.txt")) {
                ds.forEach(files::add);
            }
            files.sort(null);
            for (Path f : files) {
                if (stopped || !offer(f)) return;
            }
        } catch (IOException | RuntimeException e) {
            log.log(System.Logger.Level.WARNING, "spooldir poll of " + directory + " failed: " + e);
        }
    }

    /** Offers the file's new lines; false when the sink refused them (try again at the next poll). */
    private boolean offer(Path file) throws IOException {
        String name = file.getFileName().toString();
        long from;
        synchronized (this) {
            from = delivered.getOrDefault(name, 0L);
        }
        List<String> text = completeLines(file);
        if (text.size() <= from) return true;
        Instant now = context.clock().instant();
        List<SourceLine> batch = new ArrayList<>(text.size() - (int) from);
        for (int i = (int) from; i < text.size(); i++) {
            batch.add(new SourceLine("spooldir:" + name, i, text.get(i), file.toString(), now,
                    Map.of("spool_file", name), false, false, null));
        }
        Receipt receipt = context.sink().accept(batch);
        if (!receipt.accepted()) return false;
        long end = text.size();
        synchronized (this) {
            delivered.put(name, end);
        }
        lines += batch.size();
        receipt.stored().whenComplete((ok, failure) -> {
            if (failure == null) commit(name, end);
            else rewind(name, failure);
        });
        return true;
    }

    private static List<String> completeLines(Path file) throws IOException {
        String all = Files.readString(file, StandardCharsets.UTF_8);
        int last = all.lastIndexOf('\n');
        if (last < 0) return List.of();
        return List.of(all.substring(0, last).split("\r?\n", -1));
    }

    private synchronized void commit(String name, long end) {
        if (committed.getOrDefault(name, 0L) >= end) return;
        committed.put(name, end);
        Properties p = new Properties();
        committed.forEach((k, v) -> p.setProperty(k, Long.toString(v)));
        Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "lines of each file stored by the bklog spooldir source");
            out.close();
            Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.log(System.Logger.Level.WARNING, "cannot save " + stateFile + ": " + e + "; lines may be read again");
        }
    }

    private synchronized void rewind(String name, Throwable failure) {
        log.log(System.Logger.Level.WARNING, "lines of " + name + " not stored (" + failure.getMessage()
                + "); reading them again from line " + committed.getOrDefault(name, 0L));
        delivered.put(name, committed.getOrDefault(name, 0L));
    }

    private void loadState() throws IOException {
        if (!Files.exists(stateFile)) return;
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(stateFile)) {
            p.load(in);
        }
        for (String k : p.stringPropertyNames()) committed.put(k, Long.parseLong(p.getProperty(k)));
    }

    @Override
    public SourceStatus status() {
        if (stopped) return new SourceStatus(SourceStatus.State.STOPPED, "stopped after " + lines + " line(s)");
        if (poller == null) return new SourceStatus(SourceStatus.State.CREATED, "not started");
        return SourceStatus.running("watching " + directory + ", " + lines + " line(s) read");
    }

    @Override
    public void stop() {
        ScheduledExecutorService p;
        synchronized (this) {
            if (stopped) return;
            stopped = true;
            p = poller;
        }
        if (p == null) return;
        p.shutdown();
        try {
            if (!p.awaitTermination(10, TimeUnit.SECONDS)) p.shutdownNow();
        } catch (InterruptedException e) {
            p.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
