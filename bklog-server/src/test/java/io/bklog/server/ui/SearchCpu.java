package io.bklog.server.ui;

import io.bklog.core.LogPlatform;
import io.bklog.core.search.SearchAggs;
import io.bklog.core.search.SearchParams;
import io.bklog.core.search.SearchResponse;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The search screen's first request over an index set, run in process and timed in CPU time of the calling thread
 * (a busy machine stretches wall time, not CPU time), with each part of the request on and off: {@code java -cp
 * <test classpath> io.bklog.server.ui.UiFirstRender N cpu DIR}. Not a test.
 */
final class SearchCpu {
    private SearchCpu() {}

    static void run(LogPlatform p, String set, int runs) {
        SearchAggs histogram = new SearchAggs(new SearchAggs.Histogram("auto"), List.of());
        measure("ui request (size 50, highlight, histogram auto)", runs, () -> p.search().search(set,
                params(50, true, histogram, null)));
        measure("no highlight", runs, () -> p.search().search(set, params(50, false, histogram, null)));
        measure("no histogram", runs, () -> p.search().search(set, params(50, true, null, null)));
        measure("size 0 + histogram", runs, () -> p.search().search(set, params(0, false, histogram, null)));
        measure("size 0, total only", runs, () -> p.search().search(set, params(0, false, null, null)));
        io.bklog.spi.SearchRequest ui = p.search().request(set, params(50, true, histogram, null));
        System.out.println("ui sort: " + ui.sort());
        measure("store, ui request", runs, () -> wrap(p.search().execute(ui)));
        measure("store, sort by time only", runs, () -> wrap(p.search().execute(ui.toBuilder()
                .sort(List.of(io.bklog.spi.query.Sort.desc("dtEventTimeStamp"))).build())));
    }

    private static SearchResponse wrap(io.bklog.spi.SearchResult r) {
        return new SearchResponse(r.total(), r.tookMillis(), r.hits(), r.aggregations());
    }

    private static SearchParams params(int size, boolean highlight, SearchAggs aggs, List<List<String>> sort) {
        return new SearchParams("*", null, "now-24h", "now", 0, size, sort, highlight, null, null, aggs);
    }

    private static void measure(String what, int runs, Supplier<SearchResponse> search) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] cpu = new long[runs];
        long[] wall = new long[runs];
        SearchResponse last = null;
        for (int i = 0; i < runs; i++) {
            long c0 = mx.getCurrentThreadCpuTime(), w0 = System.nanoTime();
            last = search.get();
            cpu[i] = (mx.getCurrentThreadCpuTime() - c0) / 1_000_000;
            wall[i] = (System.nanoTime() - w0) / 1_000_000;
        }
        Arrays.sort(cpu);
        Arrays.sort(wall);
        System.out.printf("%-50s cpu median %5d ms (min %d)  wall median %5d ms  total %d%n", what, cpu[runs / 2],
                cpu[0], wall[runs / 2], last.total());
    }
}
