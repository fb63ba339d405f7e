package io.bklog.es;

import io.bklog.spi.FieldType;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** When the event time is kept once (the time field) and how a hit gets its {@code @timestamp} back. */
class DerivedTimeTest {
    private static final String TF = "dtEventTimeStamp";
    private static final long T = Instant.parse("2024-03-01T10:00:00.250Z").toEpochMilli();
    private static final Map<String, FieldType> TYPES = Map.of(TF, FieldType.DATE, "@timestamp", FieldType.DATE,
            "time", FieldType.LONG, "timestamp", FieldType.DATE, "msg", FieldType.KEYWORD);

    @Test
    void aDateOfTheSameInstantIsACopyWhateverItsForm() {
        assertThat(DerivedTime.sourceOf(Map.of("@timestamp", "2024-03-01T10:00:00.250Z"), TYPES, TF, T))
                .isEqualTo("@timestamp");
        assertThat(DerivedTime.sourceOf(Map.of("@timestamp", "2024-03-01T18:00:00.250+08:00"), TYPES, TF, T))
                .isEqualTo("@timestamp");
        assertThat(DerivedTime.sourceOf(Map.of("@timestamp", T), TYPES, TF, T)).isEqualTo("@timestamp");
        assertThat(DerivedTime.sourceOf(Map.of("timestamp", "2024-03-01T10:00:00.250Z"), TYPES, TF, T))
                .isEqualTo("timestamp");
    }

    @Test
    void anotherInstantAListAnotherTypeOrTheTimeFieldItselfAreNot() {
        assertThat(DerivedTime.sourceOf(Map.of("@timestamp", "2024-03-01T10:00:00.251Z"), TYPES, TF, T)).isNull();
        assertThat(DerivedTime.sourceOf(Map.of("@timestamp", List.of(T)), TYPES, TF, T)).isNull();
        assertThat(DerivedTime.sourceOf(Map.of("@timestamp", "not a time"), TYPES, TF, T)).isNull();
        assertThat(DerivedTime.sourceOf(Map.of("time", T), TYPES, TF, T)).as("a long field").isNull();
        assertThat(DerivedTime.sourceOf(Map.of("@timestamp", "2024-03-01T10:00:00.250Z"),
                Map.of(TF, FieldType.DATE, "@timestamp", FieldType.KEYWORD), TF, T)).as("mapped as keyword").isNull();
        assertThat(DerivedTime.sourceOf(Map.of("@timestamp", "2024-03-01T10:00:00.250Z"), TYPES, "@timestamp", T))
                .as("the time field itself").isNull();
        assertThat(DerivedTime.sourceOf(Map.of("@timestamp", "2024-03-01T10:00:00.250Z"), Map.of("@timestamp",
                FieldType.DATE), TF, T)).as("unknown time field type").isNull();
    }

    @Test
    void restorePutsTheFieldBackInTheMarkersPlace() {
        Map<String, Object> src = new LinkedHashMap<>();
        src.put(EsMappings.TIME_FROM, "@timestamp");
        src.put("msg", "m");
        src.put(TF, T);
        Map<String, Object> out = DerivedTime.restore(src, List.of(TF));
        assertThat(out).containsExactly(Map.entry("@timestamp", T), Map.entry("msg", "m"), Map.entry(TF, T));

        Map<String, Object> own = new LinkedHashMap<>(Map.of("@timestamp", 5L, EsMappings.TIME_FROM, "@timestamp",
                TF, T));
        assertThat(DerivedTime.restore(own, List.of(TF))).as("a field of its own is never overwritten")
                .isEqualTo(Map.of("@timestamp", 5L, TF, T));
        Map<String, Object> plain = new LinkedHashMap<>(Map.of("msg", "m", TF, T));
        assertThat(DerivedTime.restore(plain, List.of(TF))).isEqualTo(Map.of("msg", "m", TF, T));
    }
}
