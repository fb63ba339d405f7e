package io.bklog.benchmarks.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.mask.FieldMaskConfig;
import io.bklog.core.mask.Masker;
import io.bklog.core.mask.MaskingService;
import io.bklog.core.search.SearchParams;
import io.bklog.core.search.SearchService;
import io.bklog.spi.SearchRequest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The cost of the search service with masking on, against a direct {@code LogStore.search} of the same request:
 * ingests {@code docs} log lines (each with a phone number and an id number in the raw text) into the platform's
 * embedded store, configures two masking rules on the {@code log} text field, then alternates the two for
 * {@code rounds} rounds of a highlighted 50-hit query and prints the median-time ratio:
 * {@code search-masked/store-direct = x.xx}. Args: {@code [docs=200000] [rounds=300]}.
 */
public final class MaskedSearchVsStoreDriver {
    private MaskedSearchVsStoreDriver() {}

    public static void main(String[] args) {
        int docs = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        try (LogPlatform platform = LogPlatform.builder().build()) {
            platform.indexSets().create("bench", IndexSetSpec.defaults());
            Random rnd = new Random(42);
            long t0 = 1_700_000_000_000L;
            for (int from = 0; from < docs; from += 5_000) {
                List<Map<String, Object>> batch = new ArrayList<>();
                for (int i = from; i < Math.min(docs, from + 5_000); i++) {
                    String phone = "1" + (3 + rnd.nextInt(7)) + String.format(Locale.ROOT, "%09d", rnd.nextInt(1_000_000_000));
                    String level = i % 10 == 0 ? "ERROR" : "INFO";
                    batch.add(Map.of("dtEventTimeStamp", t0 + i, "serverIp", "10.0.0." + (i % 16), "path",
                            "/var/log/app.log", "gseIndex", i, "iterationIndex", 0, "log", level + " login user "
                                    + phone + " id 11010519900101" + String.format(Locale.ROOT, "%04d", i % 10_000)
                                    + " took " + rnd.nextInt(900) + "ms"));
                }
                platform.ingest().ingest("bench", batch, false);
            }
            platform.internals().store().refresh("bench");
            ObjectMapper json = new ObjectMapper();
            MaskingService masking = new MaskingService(platform.internals().metadata(), platform.indexSets());
            masking.configure("bench", List.of(
                    FieldMaskConfig.inline("log", "mask_shield", json.createObjectNode().put("preserve_head", 3)
                            .put("preserve_tail", 2), "1[3-9]\\d{9}", 0),
                    FieldMaskConfig.inline("log", "mask_shield", json.createObjectNode().put("preserve_head", 6),
                            "\\d{17}[\\dX]", 1)), List.of("log"));
            Masker masker = masking.masker("bench");
            SearchService search = platform.search();
            SearchParams params = new SearchParams("log:ERROR AND log:login", null, null, null, 0, 50, null, true,
                    null, null);
            SearchRequest request = search.request("bench", params);
            for (int i = 0; i < 50; i++) {
                platform.internals().store().search(request);
                search.search("bench", params, masker);
            }
            long[] direct = new long[rounds];
            long[] masked = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                long a = System.nanoTime();
                platform.internals().store().search(request);
                long b = System.nanoTime();
                search.search("bench", params, masker);
                long c = System.nanoTime();
                direct[i] = b - a;
                masked[i] = c - b;
            }
            Arrays.sort(direct);
            Arrays.sort(masked);
            double d = direct[rounds / 2] / 1e6;
            double m = masked[rounds / 2] / 1e6;
            System.out.printf(Locale.ROOT, "search-masked: docs=%d store=%s store-direct p50=%.3f ms, search-masked"
                    + " p50=%.3f ms%n", docs, platform.internals().store().backendName(), d, m);
            System.out.printf(Locale.ROOT, "search-masked/store-direct = %.2f%n", m / d);
        }
    }
}
