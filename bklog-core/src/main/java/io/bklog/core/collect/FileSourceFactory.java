package io.bklog.core.collect;

import com.fasterxml.jackson.databind.JsonNode;
import io.bklog.core.ingest.LineHandler;
import io.bklog.core.ingest.LineSanitizer;
import io.bklog.core.ingest.source.FileTailer;
import io.bklog.core.regex.UserRegex;
import io.bklog.spi.source.SettingProblem;
import io.bklog.spi.source.Source;
import io.bklog.spi.source.SourceContext;
import io.bklog.spi.source.SourceFactory;
import io.bklog.spi.source.SourceStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The built-in {@code file} source: tails files matching glob {@code paths} with a {@link FileTailer} (rotation by
 * rename and truncation, offsets and generations checkpointed to {@code {dataDir}/collectors/{name}.offsets.json} so
 * a restart resumes where it stopped). {@code path_regexp} (in {@code etl_params}) applies to each line's file path.
 *
 * <p>Params (bklog's names): {@code paths} (required, absolute globs), {@code exclude_files} (regexes of paths to
 * skip), {@code tail_files} (default true: files present at the collector's very first start are read from their
 * end), {@code scan_frequency} (seconds between scans, default 1), {@code max_bytes} (longer lines are cut and
 * marked {@code __truncated}, default 1 MiB), {@code close_inactive} (Filebeat's name: seconds a rotated file is
 * kept open after its last write, so late writes to it are read; default 300).
 */
public final class FileSourceFactory implements SourceFactory {

    public static final String TYPE = "file";
    private static final Set<String> KNOWN = Set.of("paths", "exclude_files", "tail_files", "scan_frequency",
            "max_bytes", "close_inactive");

    private final Path checkpointDir;
    private final Clock clock;
    private final CollectorConfinement confinement;

    /** @param checkpointDir where offsets are kept, or null to keep none (a restart re-reads per tail_files) */
    public FileSourceFactory(Path checkpointDir, Clock clock) {
        this(checkpointDir, clock, CollectorConfinement.unconfined(List.of()));
    }

    /**
     * @param confinement the paths collectors may read: globs are checked on save and start, every concrete file
     *                    (symlinks resolved) before it is opened
     */
    public FileSourceFactory(Path checkpointDir, Clock clock, CollectorConfinement confinement) {
        this.checkpointDir = checkpointDir;
        this.clock = clock == null ? Clock.systemUTC() : clock;
        this.confinement = java.util.Objects.requireNonNull(confinement, "confinement");
    }

    @Override
    public boolean hostResource() {
        return true;
    }

    @Override
    public void checkHostAccess(Map<String, Object> settings) {
        JsonNode params = SourceSettings.toJson(settings);
        List<String> problems = new ArrayList<>();
        Settings s = parse(params, problems);
        if (s == null) return;
        for (int i = 0; i < s.paths().size(); i++) confinement.checkGlob(s.paths().get(i), "source_params.paths[" + i + "]");
    }

    @Override
    public String type() {
        return TYPE;
    }

    private record Settings(List<String> paths, List<String> excludes, boolean tailFiles, int scanSeconds,
                            int maxBytes, int closeInactiveSeconds) {
    }

    private static Settings parse(JsonNode params, List<String> problems) {
        SourceParams p = new SourceParams(params, problems);
        if (!p.isObject()) return null;
        p.unknown(KNOWN);
        List<String> paths = p.strings("paths");
        if (paths.isEmpty() && params.get("paths") == null) problems.add("paths: required, e.g. [\"/var/log/app/*.log\"]");
        else if (paths.isEmpty()) problems.add("paths: must not be empty");
        for (int i = 0; i < paths.size(); i++) {
            String g = paths.get(i);
            try {
                if (g.isBlank() || !Path.of(g).isAbsolute()) {
                    problems.add("paths[" + i + "]: '" + g + "' must be an absolute path or glob, e.g. /var/log/*.log");
                }
            } catch (InvalidPathException e) {
                problems.add("paths[" + i + "]: '" + g + "' is not a valid path: " + e.getReason());
            }
        }
        List<String> excludes = p.strings("exclude_files");
        for (int i = 0; i < excludes.size(); i++) {
            try {
                UserRegex.compile(excludes.get(i));
            } catch (UserRegex.InvalidRegexException e) {
                problems.add("exclude_files[" + i + "]: '" + excludes.get(i) + "' is not a valid regex: " + e.getMessage()
                        + (e.index() >= 0 ? " near index " + e.index() : ""));
            }
        }
        boolean tail = p.bool("tail_files", true);
        Integer scan = p.integer("scan_frequency", 1, 1, 3600);
        Integer max = p.integer("max_bytes", LineSanitizer.DEFAULT_MAX_LINE_BYTES, 1, 64 << 20);
        Integer closeInactive = p.integer("close_inactive", (int) FileTailer.DEFAULT_CLOSE_INACTIVE.toSeconds(), 1,
                7 * 86_400);
        return new Settings(paths, excludes, tail, scan, max, closeInactive);
    }

    @Override
    public List<SettingProblem> validate(Map<String, Object> settings) {
        List<String> problems = new ArrayList<>();
        parse(SourceSettings.toJson(settings), problems);
        return problems.stream().map(SettingProblem::parse).toList();
    }

    @Override
    public Source create(Map<String, Object> settings, SourceContext context) throws IOException {
        requireValid(settings);
        JsonNode params = SourceSettings.toJson(settings);
        Settings s = parse(params, new ArrayList<>());
        checkHostAccess(settings);
        Path checkpoint = checkpointFile(context.collector());
        if (checkpoint != null) Files.createDirectories(checkpoint.getParent());
        FileTailer tailer = FileTailer.builder(LineHandler.of(context.sink())).paths(s.paths())
                .excludeFiles(s.excludes()).tailFiles(s.tailFiles()).scanInterval(Duration.ofSeconds(s.scanSeconds()))
                .maxLineBytes(s.maxBytes()).closeInactive(Duration.ofSeconds(s.closeInactiveSeconds()))
                .checkpointFile(checkpoint).clock(context.clock()).fileGuard(confinement::checkFile)
                .stored(() -> context.sink().allStored().toCompletableFuture())
                .held(context.sink()::heldFrom).build();
        return new Source() {
            private volatile boolean started;
            private volatile boolean stopped;

            @Override
            public void start() {
                started = true;
                tailer.start();
            }

            @Override
            public SourceStatus status() {
                if (stopped) return new SourceStatus(SourceStatus.State.STOPPED, "stopped");
                if (!started) return new SourceStatus(SourceStatus.State.CREATED, "not started");
                List<FileTailer.FilePosition> files = tailer.positions();
                long rotated = files.stream().filter(FileTailer.FilePosition::rotated).count();
                return SourceStatus.running("tailing " + (files.size() - rotated) + " file(s) of "
                        + String.join(", ", s.paths())
                        + (rotated > 0 ? " (+" + rotated + " rotated, read until idle)" : ""));
            }

            @Override
            public void stop() {
                if (stopped) return;
                stopped = true;
                tailer.close();
            }
        };
    }

    /** The offsets file of a collector, or null without a checkpoint dir. */
    public Path checkpointFile(String collector) {
        if (checkpointDir == null) return null;
        return checkpointDir.resolve(collector.replaceAll("[^A-Za-z0-9_.-]", "_") + ".offsets.json");
    }

    /** Forgets the offsets of a deleted collector, so a new one of the same name starts afresh. */
    public void forget(String collector) {
        Path f = checkpointFile(collector);
        if (f == null) return;
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(FileSourceFactory.class)
                    .warn("event=collector_checkpoint_delete_failed file={} reason=\"{}\"", f, e.getMessage());
        }
    }
}
