package io.bklog.core.ingest;

import io.bklog.spi.FieldType;
import io.bklog.spi.FieldValues;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The {@code reason} tag of {@code bklog_ingest_dead_letters_total} is read from the store's refusal text: a value the
 * shared conversion ({@link FieldValues}) refuses must count as {@code bad_value}, whatever words that text uses.
 */
class DeadLetterReasonTagTest {

    private static String refusal(FieldType type, Object value) {
        Throwable t = catchThrowable(() -> FieldValues.convert("f", type, value));
        assertThat(t).isInstanceOf(IllegalArgumentException.class);
        return t.getMessage();
    }

    @Test
    void aValueTheSharedConversionRefusesIsTaggedBadValue() {
        assertThat(DeadLetterWriter.reasonTag(refusal(FieldType.IP, "300.1.1.1"))).isEqualTo("bad_value");
        assertThat(DeadLetterWriter.reasonTag(refusal(FieldType.LONG, "twelve"))).isEqualTo("bad_value");
        assertThat(DeadLetterWriter.reasonTag(refusal(FieldType.KEYWORD, java.util.List.of(java.util.List.of(1)))))
                .isEqualTo("bad_value");
    }

    @Test
    void otherReasonsKeepTheirTags() {
        assertThat(DeadLetterWriter.reasonTag("gave up after 5 attempts: timeout")).isEqualTo("retries_exhausted");
        assertThat(DeadLetterWriter.reasonTag("field 'x' is a reserved name")).isEqualTo("reserved_field");
        assertThat(DeadLetterWriter.reasonTag("something else")).isEqualTo("rejected");
    }
}
