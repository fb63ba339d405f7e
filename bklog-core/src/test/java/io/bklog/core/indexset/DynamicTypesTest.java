package io.bklog.core.indexset;

import io.bklog.spi.FieldType;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DynamicTypesTest {

    @Test
    void infersTheTypeOfAFieldFromItsFirstValue() {
        assertThat(DynamicTypes.infer(true)).isEqualTo(FieldType.BOOLEAN);
        assertThat(DynamicTypes.infer(42L)).isEqualTo(FieldType.LONG);
        assertThat(DynamicTypes.infer(0.25)).isEqualTo(FieldType.DOUBLE);
        assertThat(DynamicTypes.infer("2026-12-05T10:00:00Z")).isEqualTo(FieldType.DATE);
        assertThat(DynamicTypes.infer("2026-12-05")).isEqualTo(FieldType.DATE);
        assertThat(DynamicTypes.infer("10.1.2.3")).isEqualTo(FieldType.IP);
        assertThat(DynamicTypes.infer("2001:db8::1")).isEqualTo(FieldType.IP);
        assertThat(DynamicTypes.infer("999.1.1.1")).as("not an address").isEqualTo(FieldType.KEYWORD);
        assertThat(DynamicTypes.infer("ERROR")).isEqualTo(FieldType.KEYWORD);
        assertThat(DynamicTypes.infer("web-01.example.com")).isEqualTo(FieldType.KEYWORD);
        assertThat(DynamicTypes.infer("connection refused by upstream")).as("prose").isEqualTo(FieldType.TEXT);
        assertThat(DynamicTypes.infer("x".repeat(300))).isEqualTo(FieldType.TEXT);
        assertThat(DynamicTypes.infer(List.of(7L, 8L))).isEqualTo(FieldType.LONG);
        assertThat(DynamicTypes.infer(List.of())).isNull();
        assertThat(DynamicTypes.infer(null)).isNull();
    }

    @Test
    void readsIsoDatesWithAndWithoutOffsetAsUtcMillis() {
        long t = Instant.parse("2026-12-05T10:00:00Z").toEpochMilli();
        assertThat(DynamicTypes.isoDateMillis("2026-12-05T10:00:00Z")).isEqualTo(t);
        assertThat(DynamicTypes.isoDateMillis("2026-12-05T18:00:00+08:00")).isEqualTo(t);
        assertThat(DynamicTypes.isoDateMillis("2026-12-05T18:00:00+0800")).isEqualTo(t);
        assertThat(DynamicTypes.isoDateMillis("2026-12-05 10:00:00")).isEqualTo(t);
        assertThat(DynamicTypes.isoDateMillis("2026-12-05T10:00Z")).isEqualTo(t);
        assertThat(DynamicTypes.isoDateMillis("2026-12-05T10:00:00.250Z")).isEqualTo(t + 250);
        assertThat(DynamicTypes.isoDateMillis("2026-12-05")).isEqualTo(Instant.parse("2026-12-05T00:00:00Z")
                .toEpochMilli());
        assertThat(DynamicTypes.isoDateMillis("2026-13-45")).isNull();
        assertThat(DynamicTypes.isoDateMillis("yesterday")).isNull();
        assertThat(DynamicTypes.isoDateMillis("1733392800")).isNull();
    }
}
