package io.bklog.kafka;

import io.bklog.spi.BufferedDocument;
import io.bklog.spi.LogDocument;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DocumentCodecTest {

    private final DocumentCodec codec = new DocumentCodec();

    @Test
    void keepsTheExactJavaTypesOfEveryFieldAcrossARoundTrip() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("s", "héllo \"q\"");
        fields.put("l", 42L);
        fields.put("big", Long.MAX_VALUE);
        fields.put("d", 1.0);
        fields.put("nan", Double.NaN);
        fields.put("inf", Double.NEGATIVE_INFINITY);
        fields.put("b", true);
        fields.put("list", List.of("a", 1L, 2.5, false));
        fields.put("nothing", null);
        BufferedDocument in = new BufferedDocument("set_a", "src-1",
                new LogDocument("id-1", Instant.parse("2026-01-02T03:04:05.123456789Z"), fields));

        BufferedDocument out = codec.decode(codec.encode(in));

        assertThat(out).isEqualTo(in);
        assertThat(out.document().get("l")).isInstanceOf(Long.class);
        assertThat(out.document().get("d")).isInstanceOf(Double.class);
        assertThat((List<?>) out.document().get("list")).extracting(Object::getClass)
                .containsExactly(String.class, Long.class, Double.class, Boolean.class);
    }

    @Test
    void widensIntegerAndFloatToLongAndDouble() {
        BufferedDocument in = new BufferedDocument("s", null,
                new LogDocument("x", Instant.EPOCH, Map.of("i", 7, "f", 1.5f)));
        BufferedDocument out = codec.decode(codec.encode(in));
        assertThat(out.document().fields()).containsEntry("i", 7L).containsEntry("f", 1.5d);
        assertThat(out.key()).isEqualTo("x");
    }

    @Test
    void refusesAFieldValueOfAnotherTypeNamingFieldAndDocument() {
        BufferedDocument in = new BufferedDocument("s", "k", new LogDocument("doc-9", Instant.EPOCH, Map.of("when", Instant.EPOCH)));
        assertThatThrownBy(() -> codec.encode(in)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("field 'when'").hasMessageContaining("doc-9").hasMessageContaining("java.time.Instant");
    }

    @Test
    void saysWhatIsWrongWithAnUndecodableRecord() {
        assertThatThrownBy(() -> codec.decode("not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> codec.decode("{\"v\":1,\"indexSet\":\"s\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("no 'document'");
        assertThatThrownBy(() -> codec.decode("{\"v\":1,\"indexSet\":\"s\",\"document\":{\"id\":\"a\",\"timestamp\":\"yesterday\",\"fields\":{}}}"
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> codec.decode("{\"v\":1,\"indexSet\":\"s\",\"document\":{\"id\":\"a\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"fields\":{\"n\":123456789012345678901234}}}"
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("out of the Long range");
        assertThatThrownBy(() -> codec.decode(null)).hasMessageContaining("null");
        byte[] truncated = Arrays.copyOf(codec.encode(new BufferedDocument("s", "k",
                new LogDocument("a", Instant.EPOCH, Map.of("x", "y")))), 20);
        assertThatThrownBy(() -> codec.decode(truncated)).isInstanceOf(IllegalArgumentException.class);
    }
}
