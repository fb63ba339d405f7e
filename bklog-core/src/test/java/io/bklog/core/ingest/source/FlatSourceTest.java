package io.bklog.core.ingest.source;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.BklogException;
import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.meta.IndexSet;
import io.bklog.spi.LogDocument;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming read of a {@code _bulk} source gives the same document (fields, values, their order, time) as the
 * old path (read into a Map, conventions, flatten), or hands the source back to the old path.
 */
class FlatSourceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.time.Clock CLOCK = java.time.Clock.fixed(java.time.Instant.parse("2026-12-05T12:00:00Z"),
            java.time.ZoneOffset.UTC);

    /** The old path's document, or its error's problem text. */
    private static Object old(LogPlatform p, String set, String source) {
        IndexSet s = p.indexSets().get(set);
        Map<String, Object> m;
        try {
            m = JSON.readValue(source, new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (Exception e) {
            return "not json";
        }
        if (m == null) return "null";
        EsBulkService.conventions(s, m);
        try {
            LogDocument d = p.ingest().document(s, m);
            return List.of(new ArrayList<>(d.fields().entrySet()), d.timestamp());
        } catch (BklogException e) {
            return e.getMessage();
        }
    }

    /** The streaming path's document, its error, or null when it hands the source to the old path. */
    private static Object streamed(LogPlatform p, String set, String source) {
        IndexSet s = p.indexSets().get(set);
        LinkedHashMap<String, Object> flat = FlatSource.read(source, s);
        if (flat == null) return null;
        try {
            LogDocument d = p.ingest().flatDocument(s, flat);
            return List.of(new ArrayList<>(d.fields().entrySet()), d.timestamp());
        } catch (BklogException e) {
            return e.getMessage();
        }
    }

    private static void same(LogPlatform p, String set, String source, boolean streamedExpected) {
        Object expected = old(p, set, source);
        Object actual = streamed(p, set, source);
        if (streamedExpected) assertThat(actual).as(source).isNotNull();
        if (actual != null) assertThat(actual).as(source).isEqualTo(expected);
    }

    @Test
    void givesTheOldPathsFieldsValuesOrderAndTime() {
        try (LogPlatform p = LogPlatform.builder().clock(CLOCK).build()) {
            p.indexSets().put("app", IndexSetSpec.defaults());
            p.indexSets().put("evt", new IndexSetSpec("event.created", null, null, null, null, null));
            for (String set : List.of("app", "evt")) {
                same(p, set, "{\"@timestamp\":\"2026-12-05T10:00:00.123Z\",\"message\":\"GET /a 200\",\"seq\":7}", true);
                same(p, set, "{\"time\":1764928800,\"msg\":\"pino\",\"level\":30,\"pid\":1.5}", true);
                same(p, set, "{\"timestamp\":\"1764928800123\",\"MESSAGE\":\"journald\"}", true);
                same(p, set, "{\"message\":\"m\",\"log\":{\"offset\":12,\"file\":{\"path\":\"/var/log/a\"}},"
                        + "\"host\":{\"name\":\"h1\",\"ip\":[\"10.0.0.1\",null,\"10.0.0.2\"]},\"z\":1}", true);
                same(p, set, "{\"log\":\"raw line\\r\",\"message\":\"not used\",\"a\":{\"b\":{\"c\":true}}}", true);
                same(p, set, "{\"log\":7,\"message\":\"replaces a number\",\"x\":null}", true);
                same(p, set, "{\"log\":[1,2],\"message\":\"replaces a list\"}", true);
                same(p, set, "{\"log\":{\"level\":\"info\"},\"k\":\"no message: the object stays\"}", true);
                same(p, set, "{\"a.b\":1,\"a\":{\"b\":2}}", false);
                same(p, set, "{\"a\":{\"b\":2},\"a.b\":1}", false);
                same(p, set, "{\"c\":[{\"y\":1,\"x\":[2],\"y\":3},[3,{\"b\":1,\"a\":2}],4.5e3],\"d\":{}}", true);
                same(p, set, "{\"a\":1,\"a\":null}", false);
                same(p, set, "{\"a\":null,\"a\":1}", false);
                same(p, set, "{\"a\":[1],\"a\":2}", false);
                same(p, set, "{\"x\":{\"a\":1,\"a\":2}}", false);
                same(p, set, "{\"event\":{\"created\":\"2026-12-05T10:00:00Z\"},\"@timestamp\":\"2026-12-05T11:00:00Z\"}", true);
                same(p, set, "{\"event.created\":null,\"@timestamp\":\"2026-12-05T11:00:00Z\"}", true);
                same(p, set, "{\"timestamp\":null,\"time\":1764928800000}", true);
                same(p, set, "{\"@timestamp\":{\"a\":1},\"time\":[1],\"timestamp\":\"no time\"}", true);
                same(p, set, "{\"@timestamp\":\"yesterday-ish\"}", true); // a bad time: the same error
                same(p, set, "{\"_id\":\"reserved\"}", true);
                same(p, set, "{\" \":1}", true);
                same(p, set, "{\"big\":12345678901234567890123}", false);
                same(p, set, "{\"message\":\"m\",\"log\":{\"file\":1},\"log.file\":2}", false);
                same(p, set, "{\"dup\":1,\"dup\":{\"x\":2}}", false);
                same(p, set, "{\"a\":{\"b\":1},\"a\":{\"c\":2}}", false);
                same(p, set, "{\"a\":1}trailing", false); // refused by the old path (trailing content)
                same(p, set, "[1,2]", false);
                same(p, set, "null", false);
                same(p, set, "{\"a\":", false);
                same(p, set, "\"text\"", false);
            }
        }
    }

    @Test
    void randomSourcesGiveTheSameDocumentsAsTheOldPath() throws Exception {
        try (LogPlatform p = LogPlatform.builder().clock(CLOCK).build()) {
            p.indexSets().put("app", IndexSetSpec.defaults());
            p.indexSets().put("loose", new IndexSetSpec(null, null, null, null, null, null, null, "false"));
            Random r = new Random(26);
            int streamedCount = 0;
            for (int i = 0; i < 1500; i++) {
                String source = JSON.writeValueAsString(randomObject(r, 0));
                String set = i % 10 == 0 ? "app" : "loose"; // few dynamic mappings: each is a metadata write
                Object expected = old(p, set, source);
                Object actual = streamed(p, set, source);
                if (actual != null) {
                    streamedCount++;
                    assertThat(actual).as(source).isEqualTo(expected);
                }
            }
            assertThat(streamedCount).isGreaterThan(1000);
        }
    }

    private static final List<String> KEYS = List.of("log", "message", "msg", "@timestamp", "time", "timestamp",
            "a", "b", "a.b", "log.file", "x", "level");

    private static Map<String, Object> randomObject(Random r, int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) m.put(KEYS.get(r.nextInt(KEYS.size())) + (r.nextInt(4) == 0 ? "" : i), value(r, depth));
        if (depth == 0 && r.nextBoolean()) m.put(KEYS.get(r.nextInt(6)), value(r, 2));
        return m;
    }

    private static Object value(Random r, int depth) {
        return switch (r.nextInt(depth >= 2 ? 7 : 9)) {
            case 0 -> null;
            case 1 -> r.nextInt(1000);
            case 2 -> r.nextLong();
            case 3 -> r.nextDouble() * 1e12;
            case 4 -> r.nextBoolean();
            case 5 -> List.of("2026-12-05T10:00:00Z", "1764928800", "text with space", "kw", "")
                    .get(r.nextInt(5));
            case 6 -> (long) (1_764_928_800L + r.nextInt(1000)) * (r.nextBoolean() ? 1000 : 1);
            case 7 -> randomObject(r, depth + 1);
            default -> {
                List<Object> l = new ArrayList<>();
                for (int i = r.nextInt(3); i >= 0; i--) l.add(value(r, depth + 1));
                yield l;
            }
        };
    }
}
