package io.bklog.core.search;

import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.meta.SearchHistoryEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Searches saved after their answer are listed as soon as the user asks, in order, and a failed save fails nothing. */
class SearchHistoryServiceTest {
    private final LogPlatform platform = LogPlatform.builder()
            .clock(Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC)).build();
    private final SearchHistoryService history = new SearchHistoryService(platform.internals().metadata(),
            platform.indexSets());

    @AfterEach
    void close() {
        platform.close();
    }

    @Test
    void searchesSavedLaterAreListedAtOnceNewestFirst() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        for (int i = 0; i < 50; i++) history.recordLater("alice", "app", SearchParams.of("error " + i), true);
        history.recordLater("alice", "app", SearchParams.of("*"), true); // a match-all is not remembered
        List<SearchHistoryEntry> recent = history.recent("alice", "app", 3, true);
        assertThat(recent).extracting(SearchHistoryEntry::keyword).containsExactly("error 49", "error 48", "error 47");
        assertThat(history.recent("bob", "app", 3, true)).isEmpty();
    }

    @Test
    void aSaveThatFailsIsLoggedAndTheNextOnesStillCount() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        history.recordLater("alice", "gone", SearchParams.of("error"), true); // no such index set: the save fails
        history.recordLater("alice", "app", SearchParams.of("timeout"), true);
        assertThat(history.recent("alice", "app", 5, true)).extracting(SearchHistoryEntry::keyword)
                .containsExactly("timeout");
    }
}
