package io.bklog.core.etl;

import java.util.Map;

/**
 * bklog's {@code etl_params}, with its defaults.
 *
 * @param separatorRegexp     regex (or grok expression when {@code isGrok}) for {@link EtlType#REGEXP}; named groups
 *                            become fields. Python's {@code (?P<name>...)} syntax and names with underscores are accepted
 * @param isGrok              {@code separatorRegexp} is a grok expression (default patterns + {@code grokPatterns})
 * @param separator           delimiter string for {@link EtlType#DELIMITER}; whitespace is not trimmed
 * @param retainOriginalText  keep the line in field {@code log} (default true)
 * @param retainExtraJson     JSON: keep keys not in the field list under {@code __ext_json.*} (default false)
 * @param enableRetainContent keep lines that failed to parse in the index set (default true); when false they go to
 *                            the dead-letter index set instead (never dropped)
 * @param recordParseFailure  add {@code __parse_failure} (+ {@code __parse_failure_reason}) (default true)
 * @param pathRegexp          regex with named groups applied to the file path; each group becomes a field
 * @param grokPatterns        custom grok patterns, name → definition
 * @param grokPatternSet      the Logstash pattern set the grok expression draws on: {@code legacy} (default) or
 *                            {@code ecs-v1} (fields named as in the Elastic Common Schema, {@code source.address}...)
 */
public record EtlParams(String separatorRegexp, boolean isGrok, String separator, boolean retainOriginalText,
                        boolean retainExtraJson, boolean enableRetainContent, boolean recordParseFailure,
                        String pathRegexp, Map<String, String> grokPatterns, String grokPatternSet) {

    public static final EtlParams DEFAULTS = builder().build();

    public EtlParams {
        grokPatterns = grokPatterns == null ? Map.of() : Map.copyOf(grokPatterns);
        grokPatternSet = grokPatternSet == null || grokPatternSet.isBlank() ? GrokPatterns.LEGACY : grokPatternSet;
    }

    public EtlParams(String separatorRegexp, boolean isGrok, String separator, boolean retainOriginalText,
                     boolean retainExtraJson, boolean enableRetainContent, boolean recordParseFailure,
                     String pathRegexp, Map<String, String> grokPatterns) {
        this(separatorRegexp, isGrok, separator, retainOriginalText, retainExtraJson, enableRetainContent,
                recordParseFailure, pathRegexp, grokPatterns, null);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().separatorRegexp(separatorRegexp).isGrok(isGrok).separator(separator)
                .retainOriginalText(retainOriginalText).retainExtraJson(retainExtraJson)
                .enableRetainContent(enableRetainContent).recordParseFailure(recordParseFailure)
                .pathRegexp(pathRegexp).grokPatterns(grokPatterns).grokPatternSet(grokPatternSet);
    }

    /** Builder; every option defaults to bklog's default. */
    public static final class Builder {
        private String separatorRegexp;
        private boolean isGrok;
        private String separator;
        private boolean retainOriginalText = true;
        private boolean retainExtraJson;
        private boolean enableRetainContent = true;
        private boolean recordParseFailure = true;
        private String pathRegexp;
        private Map<String, String> grokPatterns = Map.of();
        private String grokPatternSet;

        public Builder separatorRegexp(String v) { this.separatorRegexp = v; return this; }
        public Builder isGrok(boolean v) { this.isGrok = v; return this; }
        public Builder separator(String v) { this.separator = v; return this; }
        public Builder retainOriginalText(boolean v) { this.retainOriginalText = v; return this; }
        public Builder retainExtraJson(boolean v) { this.retainExtraJson = v; return this; }
        public Builder enableRetainContent(boolean v) { this.enableRetainContent = v; return this; }
        public Builder recordParseFailure(boolean v) { this.recordParseFailure = v; return this; }
        public Builder pathRegexp(String v) { this.pathRegexp = v; return this; }
        public Builder grokPatterns(Map<String, String> v) { this.grokPatterns = v; return this; }
        public Builder grokPatternSet(String v) { this.grokPatternSet = v; return this; }

        public EtlParams build() {
            return new EtlParams(separatorRegexp, isGrok, separator, retainOriginalText, retainExtraJson,
                    enableRetainContent, recordParseFailure, pathRegexp, grokPatterns, grokPatternSet);
        }
    }
}
