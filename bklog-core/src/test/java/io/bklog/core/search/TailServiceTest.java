package io.bklog.core.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.mask.MaskRules;
import io.bklog.core.mask.Masker;
import io.bklog.testkit.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TailServiceTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-10T00:00:00Z"));
    private final LogPlatform platform = LogPlatform.builder().clock(clock).build();
    private final TailService tail = new TailService(platform.indexSets(), platform.search(), platform.internals().store());
    private final Masker phones = new Masker(Map.of("log", List.of(MaskRules.compile("phone", "mask_shield",
            new ObjectMapper().createObjectNode().put("preserve_head", 3).put("preserve_tail", 2), "1[3-9]\\d{9}",
            0))), Set.of());

    @AfterEach
    void close() {
        platform.close();
    }

    private void ingest(long at, int from, int count, String word) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            docs.add(Map.of("log", word + " 138" + String.format("%08d", i), "serverIp", "10.0.0.1",
                    "dtEventTimeStamp", at, "gseIndex", i));
        }
        platform.ingest().ingest("app", docs, true);
    }

    @Test
    void returnsTheLastFiveMinutesThenOnlyNewMatchingLinesMaskedInOrder() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        long now = clock.instant().toEpochMilli();
        ingest(now - Duration.ofMinutes(10).toMillis(), 0, 5, "login");   // too old
        ingest(now - Duration.ofMinutes(2).toMillis(), 100, 1500, "login"); // the backlog, more than a page
        ingest(now - Duration.ofMinutes(1).toMillis(), 5000, 5, "logout");  // does not match

        TailService.Cursor c = tail.open("app", SearchParams.of("log:login"), null, phones);
        List<TailService.Line> first = c.poll();
        assertThat(first).hasSize(1500);
        assertThat(first).extracting(l -> l.source().get("gseIndex"))
                .containsExactlyElementsOf(java.util.stream.LongStream.range(100, 1600).boxed().map(Object.class::cast).toList());
        assertThat(first).allSatisfy(l -> assertThat((String) l.source().get("log")).matches("login 138\\*{6}\\d{2}"));
        assertThat(c.poll()).isEmpty();

        ingest(now + 1000, 2000, 3, "login");
        ingest(now + 1000, 3000, 3, "logout");
        assertThat(c.poll()).extracting(l -> l.source().get("gseIndex")).containsExactly(2000L, 2001L, 2002L);
        assertThat(c.poll()).isEmpty();

        TailService.Cursor since = tail.open("app", SearchParams.of("*"), "now-15m", Masker.none());
        assertThat(since.poll()).hasSize(5 + 1500 + 5 + 6);
    }

    @Test
    void badParametersFailWhenOpened() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        assertThatThrownBy(() -> tail.open("app", SearchParams.of("nope:1"), null, Masker.none()))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_FIELD));
        assertThatThrownBy(() -> tail.open("app", SearchParams.of("*"), "yesterday-ish", Masker.none()))
                .isInstanceOf(BklogException.class);
        assertThatThrownBy(() -> tail.open("missing", SearchParams.of("*"), null, Masker.none()))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INDEX_SET_NOT_FOUND));
    }
}
