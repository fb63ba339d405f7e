package io.bklog.core.etl;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EtlSchemaTest {
    @Test
    void mapsEtlFieldTypesAndAddsBuiltIns() {
        EtlConfig c = EtlConfig.of("json", EtlParams.DEFAULTS, List.of(EtlField.of("n", "int").withAlias("num"),
                EtlField.of("client", "ip"), EtlField.of("obj", "object"), EtlField.of("gone", "string").deleted()));
        assertThat(EtlSchema.schema("app", c).fields()).contains(FieldSpec.of("num", FieldType.LONG),
                FieldSpec.of("client", FieldType.IP), FieldSpec.of("log", FieldType.TEXT),
                FieldSpec.of("dtEventTimeStamp", FieldType.DATE), FieldSpec.of("__parse_failure", FieldType.BOOLEAN))
                .extracting(FieldSpec::name).doesNotContain("obj", "gone");
    }
}
