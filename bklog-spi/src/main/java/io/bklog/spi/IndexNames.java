package io.bklog.spi;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Physical index naming shared by every store, as bklog names them: {@code v2_{indexSet}_{yyyyMMdd}_{n}}; a
 * restored copy is prefixed {@code restore_}. Days are UTC.
 */
public final class IndexNames {
    public static final String PREFIX = "v2_";
    public static final String RESTORE_PREFIX = "restore_";
    public static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final Pattern INDEX = Pattern.compile("^(restore_)?v2_([a-z0-9_]+?)_(\\d{8})_(\\d+)$");

    private IndexNames() {}

    public static String daily(String indexSet, LocalDate day, int n) {
        return PREFIX + indexSet + "_" + DAY.format(day) + "_" + n;
    }

    public static LocalDate dayOf(Instant t) {
        return LocalDate.ofInstant(t, ZoneOffset.UTC);
    }

    /** Snapshot name for an archived index, as bklog names it: {@code {index}_snapshot_{yyyyMMdd}}. */
    public static String snapshotName(String index, LocalDate day) {
        return index + "_snapshot_" + DAY.format(day);
    }

    /** The parts of a physical index name, or empty when it is not one of ours. */
    public static Optional<Parsed> parse(String index) {
        Matcher m = INDEX.matcher(index);
        if (!m.matches()) return Optional.empty();
        return Optional.of(new Parsed(m.group(2), LocalDate.parse(m.group(3), DAY), Integer.parseInt(m.group(4)),
                m.group(1) != null));
    }

    public record Parsed(String indexSet, LocalDate day, int n, boolean restored) {}
}
