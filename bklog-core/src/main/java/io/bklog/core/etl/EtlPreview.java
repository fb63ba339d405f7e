package io.bklog.core.etl;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The preview API: sample lines + config → the documents they would become; nothing is stored. An invalid config
 * gives its errors instead of documents.
 */
public final class EtlPreview {

    /** One previewed line. */
    public record Line(String line, ParsedDocument document) {
    }

    /** Either {@code errors} (the config is invalid) or one {@link Line} per sample line. */
    public record Result(List<EtlConfigError> errors, List<Line> lines) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    private EtlPreview() {
    }

    public static Result preview(EtlConfig config, List<String> sampleLines, String path, Clock clock) {
        List<EtlConfigError> errors = EtlConfigValidator.validate(config);
        if (!errors.isEmpty()) return new Result(errors, List.of());
        LineParser parser = new CompiledLineParser(config, clock);
        Instant now = clock.instant();
        List<Line> out = new ArrayList<>(sampleLines.size());
        for (String l : sampleLines) {
            String line = io.bklog.core.ingest.LineSanitizer.stripLineEnd(l); // samples pasted from CRLF files
            out.add(new Line(line, parser.parse(line, path, now)));
        }
        return new Result(List.of(), out);
    }

    public static Result preview(EtlConfig config, List<String> sampleLines) {
        return preview(config, sampleLines, null, Clock.systemUTC());
    }
}
