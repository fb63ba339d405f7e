package io.bklog.core.search;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.Sort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SearchServiceTest {
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private final LogPlatform platform = LogPlatform.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    private final SearchService search = platform.search();

    @BeforeEach
    void indexSet() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
    }

    @AfterEach
    void close() {
        platform.close();
    }

    private static SearchParams params(String keyword, Integer begin, Integer size, List<List<String>> sort) {
        return new SearchParams(keyword, null, null, null, begin, size, sort, null, null, null);
    }

    private static BklogException error(Runnable r) {
        try {
            r.run();
        } catch (BklogException e) {
            return e;
        }
        throw new AssertionError("expected a BklogException");
    }

    @Test
    void blankKeywordSearchesEverythingNewestFirstWithBklogsSortGroup() {
        SearchRequest r = search.request("app", SearchParams.of("  "));
        assertThat(r.query()).isEqualTo(Query.matchAll());
        assertThat(r.size()).isEqualTo(10);
        assertThat(r.offset()).isZero();
        assertThat(r.sort()).containsExactly(Sort.desc("dtEventTimeStamp"), Sort.desc("gseIndex"),
                Sort.desc("iterationIndex"));
    }

    @Test
    void sortByTimeAscendingAppendsTheGroupAscending() {
        SearchRequest r = search.request("app", params("*", null, null, List.of(List.of("dtEventTimeStamp", "asc"))));
        assertThat(r.sort()).containsExactly(Sort.asc("dtEventTimeStamp"), Sort.asc("gseIndex"),
                Sort.asc("iterationIndex"));
    }

    @Test
    void relativeAndAbsoluteTimesResolveAgainstTheClock() {
        SearchRequest r = search.request("app", new SearchParams(null, null, "now-15m", "2024-05-01T12:00:00Z", null,
                null, null, null, null, null));
        assertThat(r.from()).isEqualTo(NOW.minusSeconds(900));
        assertThat(r.to()).isEqualTo(NOW);
    }

    @Test
    void keywordAndAdditionsAreBothApplied() {
        SearchRequest r = search.request("app", new SearchParams("log:error", List.of(
                new Addition("serverIp", "is", List.of("10.0.0.1"), "and")), null, null, null, null, null, null,
                null, null));
        assertThat(r.query()).isEqualTo(Query.Bool.and(List.of(new Query.Term("log", "error"),
                new Query.Term("serverIp", "10.0.0.1"))));
    }

    @Test
    void aWindowPast10000IsRefusedPointingToSearchAfter() {
        BklogException e = error(() -> search.request("app", params(null, 9_991, 10, null)));
        assertThat(e.code()).isEqualTo(ErrorCode.RESULT_WINDOW_TOO_LARGE);
        assertThat(e.getMessage()).contains("10001").contains("search_after");
        List<Object> after = new ArrayList<>(List.of(1L, 2L, 3L, "id"));
        SearchRequest deep = search.request("app", new SearchParams(null, null, null, null, 0, 500, null, null, null,
                after));
        assertThat(deep.searchAfter()).containsExactly(1L, 2L, 3L, "id");
    }

    @Test
    void aSearchAfterThatDoesNotFitTheSortIsABadRequest() {
        for (List<Object> after : List.<List<Object>>of(List.of(1L), List.of(1L, 2L, 3L, "id", 5L), List.of())) {
            BklogException e = error(() -> search.request("app", new SearchParams(null, null, null, null, 0, 10,
                    null, null, null, after)));
            assertThat(e.code()).as(after.toString()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(e.field()).contains("search_after");
            assertThat(e.getMessage()).contains("has " + after.size() + " values but the sort has 4 keys");
        }
        BklogException notANumber = error(() -> search.request("app", new SearchParams(null, null, null, null, 0, 10,
                null, null, null, List.of("x", 2L, 3L, "id"))));
        assertThat(notANumber.field()).contains("search_after[0]");
        BklogException object = error(() -> search.request("app", new SearchParams(null, null, null, null, 0, 10,
                null, null, null, List.of(1L, 2L, 3L, java.util.Map.of("a", 1)))));
        assertThat(object.field()).contains("search_after[3]");
        assertThat(search.request("app", new SearchParams(null, null, null, null, 0, 10, null, null, null,
                List.of("2024-05-01T00:00:00Z", "2", 3.5, "id"))).searchAfter()).hasSize(4);
    }

    @Test
    void aHistogramOfMoreThan100000BucketsIsABadRequest() {
        SearchParams base = new SearchParams(null, null, "2000-01-01T00:00:00Z", "2024-01-01T00:00:00Z", null, null,
                null, null, null, null);
        for (String iv : new String[] {"1s", "1m"}) {
            BklogException e = error(() -> search.request("app", base.withAggs(new SearchAggs(
                    new SearchAggs.Histogram(iv), List.of()))));
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(e.field()).contains("aggs.histogram.interval");
            assertThat(e.getMessage()).contains("more than 100000");
        }
        assertThat(search.request("app", base.withAggs(new SearchAggs(new SearchAggs.Histogram("1d"), List.of())))
                .aggregations()).containsKey(SearchService.HISTOGRAM);
        for (String iv : new String[] {"99999999999999999999s", "9999999999d", "0s"}) {
            BklogException e = error(() -> search.request("app", SearchParams.of("*").withAggs(new SearchAggs(
                    new SearchAggs.Histogram(iv), List.of()))));
            assertThat(e.field()).as(iv).contains("aggs.histogram.interval");
        }
    }

    @Test
    void unknownFieldsAreRefusedNamingTheFieldAndWhere() {
        BklogException k = error(() -> search.request("app", SearchParams.of("host:web1")));
        assertThat(k.code()).isEqualTo(ErrorCode.UNKNOWN_FIELD);
        assertThat(k.getMessage()).contains("'host'").contains("keyword").contains("serverIp");
        BklogException s = error(() -> search.request("app", params(null, null, null, List.of(List.of("x", "asc")))));
        assertThat(s.field()).contains("sort_list[0]");
        BklogException f = error(() -> search.request("app", new SearchParams(null, null, null, null, null, null,
                null, null, List.of("log", "nope"), null)));
        assertThat(f.field()).contains("fields[1]");
        BklogException a = error(() -> search.request("app", new SearchParams(null, List.of(
                new Addition("nope", "=", List.of("1"), null)), null, null, null, null, null, null, null, null)));
        assertThat(a.code()).isEqualTo(ErrorCode.UNKNOWN_FIELD);
    }

    @Test
    void badInputIsRefusedWithItsCode() {
        BklogException q = error(() -> search.request("app", SearchParams.of("log:(a OR")));
        assertThat(q.code()).isEqualTo(ErrorCode.BAD_QUERY);
        assertThat(q.details()).containsKey("position");
        assertThat(error(() -> search.request("app", params(null, null, null, List.of(List.of("log", "asc")))))
                .getMessage()).contains("text field 'log' cannot be a sort key");
        assertThat(error(() -> search.request("app", params(null, null, null, List.of(List.of("path", "up")))))
                .getMessage()).contains("order must be \"asc\" or \"desc\"");
        assertThat(error(() -> search.request("app", new SearchParams(null, null, "yesterday-ish", null, null, null,
                null, null, null, null))).field()).contains("start_time");
        assertThat(error(() -> search.request("app", new SearchParams(null, List.of(
                new Addition("path", "resembles", List.of("x"), null)), null, null, null, null, null, null, null,
                null))).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(error(() -> search.request("nope", SearchParams.of("*"))).code())
                .isEqualTo(ErrorCode.INDEX_SET_NOT_FOUND);
    }

    @Test
    void searchesWhatWasIngested() {
        platform.ingest().ingest("app", List.of(
                Map.of("log", "GET /health 200", "dtEventTimeStamp", "2024-05-01T11:59:00Z", "gseIndex", 1),
                Map.of("log", "GET /login 500 error", "dtEventTimeStamp", 1714564700000L, "gseIndex", 2)), true);
        SearchResponse r = search.search("app", SearchParams.of("error"));
        assertThat(r.total()).isEqualTo(1);
        assertThat(r.hits().get(0).source()).containsEntry("gseIndex", 2L);
        assertThat(search.search("app", SearchParams.of("")).total()).isEqualTo(2);
    }

    private static io.bklog.core.mask.Masker phoneMasker() {
        return new io.bklog.core.mask.Masker(Map.of("serverIp", List.of(io.bklog.core.mask.MaskRules.compile("t",
                "mask_shield", new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("preserve_head", 3).put("preserve_tail", 2),
                "1[3-9]\\d{9}", 0))), java.util.Set.of("log"));
    }

    @Test
    void maskedSearchMasksSourceAndHighlightAndRefusesSortAndTermsOnAMaskedField() {
        platform.ingest().ingest("app", List.of(
                Map.of("log", "login from 13812345678 ok", "serverIp", "13812345678",
                        "dtEventTimeStamp", "2024-05-01T11:59:00Z", "gseIndex", 1),
                Map.of("log", "login from 13912345678 ok", "serverIp", "13912345678",
                        "dtEventTimeStamp", "2024-05-01T11:58:00Z", "gseIndex", 2)), true);
        SearchParams p = new SearchParams("login", null, "now-15m", "now", null, null,
                List.of(List.of("gseIndex", "asc")), true, null, null,
                new SearchAggs(new SearchAggs.Histogram("auto"), List.of()));
        SearchResponse r = search.search("app", p, phoneMasker());
        assertThat(r.total()).isEqualTo(2);
        assertThat(r.toString()).doesNotContain("13812345678").doesNotContain("13912345678");
        assertThat(r.hits().get(0).source()).containsEntry("log", "login from 138******78 ok");
        assertThat(r.hits().get(0).highlights().get("log")).allMatch(f -> f.contains("<mark>login</mark>"));
        // sorting or aggregating a masked field would reveal its order and values: refused (docs/security.md)
        SearchParams sorted = new SearchParams("login", null, "now-15m", "now", null, null,
                List.of(List.of("serverIp", "asc")), false, null, null, null);
        assertThat(error(() -> search.search("app", sorted, phoneMasker())).code())
                .isEqualTo(io.bklog.core.ErrorCode.MASKED_FIELD);
        SearchParams terms = SearchParams.of("*").withAggs(new SearchAggs(null, List.of(new SearchAggs.Terms("serverIp", 5))));
        assertThat(error(() -> search.search("app", terms, phoneMasker())).field()).contains("aggs.terms[0].field");
        assertThat(error(() -> search.search("app", SearchParams.of("serverIp:>=139"), phoneMasker())).code())
                .isEqualTo(io.bklog.core.ErrorCode.MASKED_FIELD);
        // free text stays off the masked keyword field but still searches the raw text field (documented limit)
        assertThat(search.search("app", SearchParams.of("13812345678"), phoneMasker()).hits())
                .extracting(h -> h.source().get("gseIndex")).containsExactly(1L);
        assertThat(search.search("app", sorted).total()).isEqualTo(2);
        var hist = (io.bklog.spi.query.AggregationResult.HistogramResult) r.aggregations().get("histogram");
        assertThat(hist.buckets().stream().mapToLong(io.bklog.spi.query.AggregationResult.TimeBucket::count).sum())
                .isEqualTo(2);
        assertThat(hist.buckets().size()).isBetween(15, 70);
        assertThat(search.search("app", p).hits().get(0).source()).containsEntry("serverIp", "13812345678");
    }

    @Test
    void autoHistogramWithoutTimeRangeAndTextTermsAreClearBadRequests() {
        assertThat(error(() -> search.request("app", SearchParams.of("*").withAggs(
                new SearchAggs(new SearchAggs.Histogram(null), null)))).getMessage()).contains("start_time");
        assertThat(error(() -> search.request("app", SearchParams.of("*").withAggs(
                new SearchAggs(null, List.of(new SearchAggs.Terms("log", 3)))))).getMessage())
                .contains("text field 'log' cannot be aggregated");
        assertThat(error(() -> search.request("app", SearchParams.of("*").withAggs(
                new SearchAggs(new SearchAggs.Histogram("5x"), null)))).field()).contains("aggs.histogram.interval");
    }
}
