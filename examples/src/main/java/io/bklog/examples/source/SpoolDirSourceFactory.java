package io.bklog.examples.source;

import io.bklog.spi.source.SettingProblem;
import io.bklog.spi.source.Source;
import io.bklog.spi.source.SourceContext;
import io.bklog.spi.source.SourceFactory;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A third-party collector source written against the source SPI only ({@code bklog-spi}, no core): type
 * {@code spooldir} reads every {@code *.txt} file dropped into a directory, in file-name order, one line per
 * document, like Flume's spooling directory source. Files are expected to be complete when they appear (write
 * elsewhere and move them in). Found by {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.bklog.spi.source.SourceFactory}).
 *
 * <p>Settings: {@code directory} (required, an absolute path), {@code poll_interval_ms} (how often the directory is
 * looked at, 10..60000, default 500). The lines read and stored are remembered per file in
 * {@code {directory}/.bklog-spooldir-{collector}.properties}, so a restart resumes after them.
 */
public final class SpoolDirSourceFactory implements SourceFactory {

    public static final String TYPE = "spooldir";
    private static final Set<String> KNOWN = new TreeSet<>(Set.of("directory", "poll_interval_ms"));

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<SettingProblem> validate(Map<String, Object> settings) {
        List<SettingProblem> problems = new ArrayList<>();
        parse(settings, problems);
        return problems;
    }

    @Override
    public boolean hostResource() {
        return true; // it reads the host's files: only a platform admin may configure it
    }

    @Override
    public Source create(Map<String, Object> settings, SourceContext context) {
        requireValid(settings);
        Settings s = parse(settings, new ArrayList<>());
        return new SpoolDirSource(s.directory(), s.pollInterval(), context);
    }

    record Settings(Path directory, Duration pollInterval) {
    }

    private static Settings parse(Map<String, Object> settings, List<SettingProblem> problems) {
        for (String key : settings.keySet()) {
            if (!KNOWN.contains(key)) problems.add(new SettingProblem(key, "unknown setting; known: " + KNOWN));
        }
        Path dir = null;
        Object d = settings.get("directory");
        if (d == null) {
            problems.add(new SettingProblem("directory", "required, e.g. /var/spool/app"));
        } else if (!(d instanceof String text) || text.isBlank()) {
            problems.add(new SettingProblem("directory", "expected a path, got " + d));
        } else {
            try {
                dir = Path.of(text);
                if (!dir.isAbsolute()) problems.add(new SettingProblem("directory", "'" + text + "' must be absolute"));
            } catch (InvalidPathException e) {
                problems.add(new SettingProblem("directory", "'" + text + "' is not a path: " + e.getReason()));
            }
        }
        long poll = 500;
        Object p = settings.get("poll_interval_ms");
        if (p != null) {
            if (!(p instanceof Number n) || n.longValue() != n.doubleValue() || n.longValue() < 10
                    || n.longValue() > 60_000) {
                problems.add(new SettingProblem("poll_interval_ms", "expected an integer in 10..60000, got " + p));
            } else {
                poll = n.longValue();
            }
        }
        return new Settings(dir, Duration.ofMillis(poll));
    }
}
