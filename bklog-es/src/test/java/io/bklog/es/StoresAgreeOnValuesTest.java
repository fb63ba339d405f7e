package io.bklog.es;

import io.bklog.core.memory.MemoryLogStore;
import io.bklog.lucene.LuceneLogStore;
import io.bklog.spi.BulkResult;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Query;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-memory and Lucene stores normalise a value of a mapped field alike (both go through
 * {@link io.bklog.spi.FieldValues}): the same item is stored with the same source value, or refused by both.
 * Elasticsearch joins them in {@code CrossBackendEquivalenceIT}, which needs the real node.
 */
class StoresAgreeOnValuesTest {
    private static final Instant T = Instant.parse("2026-11-01T12:00:00Z");
    private static final AtomicLong SEQ = new AtomicLong();
    private static Path dir;
    private static LogStore memory;
    private static LogStore lucene;

    @BeforeContainer
    static void open() throws IOException {
        dir = Files.createTempDirectory("stores-agree");
        memory = new MemoryLogStore();
        lucene = LuceneLogStore.builder().dataDir(dir).build();
        for (FieldType type : FieldType.values()) {
            IndexSetSchema schema = IndexSetSchema.of(set(type),
                    List.of(FieldSpec.of("key", FieldType.KEYWORD), FieldSpec.of("v", type)));
            memory.ensureIndexSet(schema);
            lucene.ensureIndexSet(schema);
        }
    }

    @AfterContainer
    static void close() throws IOException {
        memory.close();
        lucene.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static String set(FieldType type) {
        return "agree_" + type.wireName();
    }

    @Property(tries = 300)
    void memoryAndLuceneStoreTheSameValueOrBothRefuseIt(@ForAll("values") Tuple.Tuple2<FieldType, Object> v) {
        String key = "k" + SEQ.incrementAndGet();
        Object memoryAnswer = storeAndRead(memory, v.get1(), key, v.get2());
        Object luceneAnswer = storeAndRead(lucene, v.get1(), key, v.get2());
        assertThat(luceneAnswer).as("%s value %s (%s)", v.get1(), v.get2(), v.get2().getClass().getSimpleName())
                .isEqualTo(memoryAnswer);
    }

    /** The source value read back, or "REJECTED". */
    private static Object storeAndRead(LogStore store, FieldType type, String key, Object value) {
        BulkResult r = store.index(set(type), List.of(new LogDocument(key, T, Map.of("key", key, "v", value))));
        if (r.items().get(0).status() != BulkResult.Status.OK) return r.items().get(0).status().name();
        store.refresh(set(type));
        SearchResult found = store.search(SearchRequest.builder(set(type)).query(new Query.Term("key", key)).build());
        assertThat(found.hits()).hasSize(1);
        return found.hits().get(0).source().get("v");
    }

    @Provide
    Arbitrary<Tuple.Tuple2<FieldType, Object>> values() {
        Arbitrary<Object> any = Arbitraries.oneOf(
                Arbitraries.longs().map(x -> (Object) x),
                Arbitraries.integers().map(x -> (Object) x),
                Arbitraries.doubles().map(x -> (Object) x),
                Arbitraries.of(0.5, 3.0, -0.0, 1e-5, 1e20, 1.5e300).map(x -> (Object) x),
                Arbitraries.of(true, false).map(x -> (Object) x),
                Arbitraries.longs().map(x -> (Object) String.valueOf(x)),
                Arbitraries.of("3.0", " 42 ", "1e3", "+5", "abc", "", "NaN", "Infinity", "0x10", "1.5", "TRUE",
                        "false", " true", "maybe", "10.0.0.1", "010.0.0.1", "999.1.1.1", "::1", "2001:DB8:0:0:0:0:0:1",
                        "::ffff:10.1.2.3", "fe80::1%eth0", "2024-03-01", "2024-03-01T10:00:00",
                        "2024-03-01T10:00:00+02:00", "2024-03-01T10:00:00.123Z", "+999999999-12-31T23:59:59Z",
                        "yesterday").map(x -> (Object) x),
                Arbitraries.strings().ofMaxLength(12).map(x -> (Object) x),
                Arbitraries.of(List.of("1", "2"), List.of(1L, "x"), Arrays.asList("a", null), List.of(List.of(1)),
                        Map.of("a", 1)).map(x -> (Object) x));
        return Arbitraries.of(FieldType.values()).flatMap(t -> any.map(v -> Tuple.of(t, v)));
    }
}
