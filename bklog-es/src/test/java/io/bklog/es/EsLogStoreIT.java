package io.bklog.es;

import io.bklog.spi.LogStore;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.RegexTooComplexException;
import io.bklog.testkit.LogStoreContract;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shared LogStore contract on the real Elasticsearch node. */
class EsLogStoreIT extends LogStoreContract {

    @Override
    protected LogStore createStore(Path dir) {
        EsFixture es = EsFixture.shared();
        EsFixture.wipeBklogData(es.url());
        return EsLogStore.builder().hosts(es.url()).build();
    }

    /** Elasticsearch's 400 too_complex_to_determinize_exception becomes the SPI's exception (a 400, not a 500). */
    @Test
    void elasticsearchRefusalOfATooComplexRegexIsRegexTooComplexException() {
        for (String field : new String[] {"host", "log", null}) {
            assertThatThrownBy(() -> idsOf(new Query.Regex(field, "(a|b)*a(a|b){24}")))
                    .isInstanceOf(RegexTooComplexException.class)
                    .hasMessageContaining("too_complex_to_determinize");
        }
    }
}
