package io.bklog.core.query;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueryFieldsTest {
    private final IndexSetSchema schema = IndexSetSchema.of("app", List.of(
            FieldSpec.of("log", FieldType.TEXT), FieldSpec.of("level", FieldType.KEYWORD),
            FieldSpec.of("status", FieldType.LONG)));

    @Test
    void acceptsKnownFieldsAndAnyFieldTerms() {
        assertThatCode(() -> QueryFields.validate(QueryStringParser.parse(
                "error level:(warn OR error) status:[500 TO *] _exists_:log dtEventTimeStamp:>=1700000000000"), schema))
                .doesNotThrowAnyException();
    }

    @Test
    void unknownFieldIsNamedWithTheKnownOnes() {
        assertThatThrownBy(() -> QueryFields.validate(QueryStringParser.parse("a AND NOT lvl:x"), schema))
                .isInstanceOfSatisfying(QueryValidationException.class, e -> assertThat(e.field()).isEqualTo("lvl"))
                .hasMessage("unknown field 'lvl' in the query; index set 'app' has fields: "
                        + "log, level, status, dtEventTimeStamp");
    }

    @Test
    void rangeOnTextFieldIsRefused() {
        assertThatThrownBy(() -> QueryFields.validate(QueryStringParser.parse("log:>a"), schema))
                .isInstanceOf(QueryValidationException.class)
                .hasMessage("field 'log' is text: a range ([a TO b], >, >=, <, <=) needs a keyword, ip, numeric "
                        + "or date field");
    }

    @Test
    void listsTheFieldsAQueryNames() {
        assertThat(QueryFields.fields(QueryStringParser.parse("x a:1 OR (b:2 AND NOT a:3) _exists_:c")))
                .containsExactly("a", "b", "c");
    }
}
