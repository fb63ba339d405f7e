package io.bklog.core.patterns;

import io.bklog.core.patterns.PatternMiner.Assignment;
import io.bklog.core.patterns.PatternMiner.PatternState;
import io.bklog.core.patterns.PatternSettings.Masker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class PatternMinerTest {

    private static PatternMiner miner(double precision) {
        return PatternMiners.create(new PatternSettings("log", EnumSet.allOf(Masker.class), precision));
    }

    @Test
    void masksEachKindOfVariableWithItsTypedPlaceholder() {
        Assignment a = miner(0.5).assign("conn from 10.1.2.3:5070 id=550e8400-e29b-41d4-a716-446655440000 "
                + "at 2024-05-01T12:00:01Z file /var/log/app.log hash 0xdeadbeef job job_1445_0001 took 15 ms, "
                + "sent 1034 bytes (1.01 KB) count 42, on Sat Jul 9 22:53:19");
        assertThat(a.template()).isEqualTo("conn from <IP> id=<UUID> at <TS> file <PATH> hash <HEX> job <ID> took "
                + "<DURATION>, sent <SIZE> count <NUM>, on <TS> <NUM> <TS>");
        assertThat(a.created()).isTrue();
    }

    @Test
    void aListOfValuesOfOneTypeIsOneVariableWhateverItsLength() {
        PatternMiner m = miner(0.5);
        String two = m.assign("inconsistent nodesets node-1 node-2 in rack r1").patternId();
        String five = m.assign("inconsistent nodesets node-1 node-2 node-3 node-4 node-9 in rack r1").patternId();
        assertThat(five).isEqualTo(two);
        assertThat(m.assign("inconsistent nodesets node-7 in rack r1").template())
                .isEqualTo("inconsistent nodesets <ID> in rack r1");
    }

    @Test
    void aMaskerTurnedOffLeavesItsValuesInTheTemplate() {
        PatternMiner m = PatternMiners.create(new PatternSettings("log", Set.of(Masker.IP), 0.5));
        assertThat(m.assign("retry 3 of host 10.0.0.1").template()).isEqualTo("retry 3 of host <IP>");
    }

    @Test
    void linesOfOneEventShareAPatternWhateverTheirNumbers() {
        PatternMiner m = miner(0.5);
        String first = m.assign("Receiving block blk_38865049064139660 src: /10.250.19.102:54106 dest: /10.250.19.102:50010").patternId();
        Assignment second = m.assign("Receiving block blk_-6952295868487656571 src: /10.250.10.6:40524 dest: /10.250.10.6:50010");
        assertThat(second.patternId()).isEqualTo(first);
        assertThat(second.created()).isFalse();
        assertThat(second.template()).isEqualTo("Receiving block <ID> src: /<IP> dest: /<IP>");
    }

    @Test
    void anOptionalRestatedQuantityAndADurationInWordsDoNotSplitAnEvent() {
        PatternMiner m = miner(0.5);
        String a = m.assign("example.org:443 close, 1034 bytes (1.01 KB) sent, 0 bytes received, lifetime <1 sec").patternId();
        String b = m.assign("example.org:443 close, 7 bytes sent, 17383 bytes (16.9 KB) received, lifetime 00:01").patternId();
        assertThat(m.resolve(b)).isEqualTo(m.resolve(a));
    }

    @Test
    void wordsBecomeAVariableAfterAsManyDistinctOnesAsThePrecisionAsks() {
        for (double precision : new double[] {0.0, 0.5, 1.0}) {
            int needed = new PatternSettings("log", Set.of(), precision).distinctValuesForVariable();
            PatternMiner m = miner(precision);
            String[] users = {"alice", "bob", "carol", "dave", "erin", "frank", "grace"};
            for (int i = 0; i < needed - 1; i++) {
                assertThat(m.assign("Failed password for " + users[i] + " from 10.0.0.1 port 22 ssh2").template())
                        .contains(users[i]);
            }
            Assignment last = m.assign("Failed password for " + users[needed - 1] + " from 10.0.0.1 port 22 ssh2");
            assertThat(last.template()).as("precision %s", precision)
                    .isEqualTo("Failed password for <*> from <IP> port <NUM> ssh2");
            // the earlier, narrower patterns now resolve to the general one
            for (PatternState s : m.snapshot()) assertThat(m.resolve(s.id())).isEqualTo(last.patternId());
        }
        assertThat(PatternSettings.defaults().distinctValuesForVariable()).isEqualTo(4);
    }

    @Test
    void twoValuesOfAWordAtOnePlaceStayTwoEvents() {
        PatternMiner m = miner(0.5);
        String admin = m.assign("Disconnecting: Too many authentication failures for admin [preauth]").patternId();
        String root = m.assign("Disconnecting: Too many authentication failures for root [preauth]").patternId();
        assertThat(m.resolve(admin)).isNotEqualTo(m.resolve(root));
    }

    @Test
    void shortLinesAreNeverGeneralisedIntoOneAnother() {
        PatternMiner m = miner(0.0);
        List<String> ids = List.of("closeNotification", "deleteHealthNotification()", "getStepCounterStatus",
                "initEnviroument", "reStartStepCounter").stream().map(l -> m.resolve(m.assign(l).patternId())).toList();
        assertThat(ids).doesNotHaveDuplicates();
    }

    @Test
    void twoInstancesSeeingTheSameFirstLineCreateTheSameId() {
        String line = "session opened for user news by (uid=0)";
        assertThat(miner(0.5).assign(line).patternId()).isEqualTo(miner(0.5).assign(line).patternId());
    }

    @Test
    void instancesThatSplitOneEventDifferentlyConvergeAfterAbsorbingEachOther() {
        PatternMiner a = miner(0.5);
        PatternMiner b = miner(0.5);
        for (String u : List.of("alice", "bob")) a.assign("Invalid user " + u + " from 10.0.0.1 port 22");
        for (String u : List.of("carol", "dave")) b.assign("Invalid user " + u + " from 10.0.0.2 port 22");
        // neither has seen enough users to call the position a variable
        assertThat(a.snapshot()).allSatisfy(s -> assertThat(s.mergedInto()).isNull());
        List<PatternState> sa = a.snapshot();
        a.absorb(b.snapshot());
        b.absorb(sa);
        assertThat(a.snapshot()).isEqualTo(b.snapshot());
        String general = a.assign("Invalid user erin from 10.0.0.3 port 22").patternId();
        assertThat(a.snapshot()).filteredOn(s -> s.mergedInto() == null).extracting(PatternState::id)
                .containsExactly(general);
        assertThat(b.resolve(a.snapshot().get(0).id())).isEqualTo(general);
        // and a more general pattern learned from elsewhere absorbs the local narrow one
        PatternMiner c = miner(0.5);
        String narrow = c.assign("Invalid user zoe from 10.0.0.9 port 22").patternId();
        c.absorb(a.snapshot());
        assertThat(c.resolve(narrow)).isEqualTo(general);
    }

    @Test
    void beyondThePatternCapNewLinesGoToTheCatchAllPattern() {
        PatternMiner m = new OnlinePatternMiner(PatternSettings.defaults(), 20);
        for (int i = 0; i < 200; i++) m.assign("event" + (char) ('a' + i % 26) + (char) ('a' + i / 26) + " happened here");
        assertThat(m.snapshot()).hasSizeLessThanOrEqualTo(21);
        Assignment overflow = m.assign("something entirely new");
        assertThat(overflow.template()).isEqualTo(OnlinePatternMiner.OTHER);
        assertThat(overflow.created()).isFalse();
        // lines of known patterns still go to them
        assertThat(m.assign("eventaa happened here").template()).isEqualTo("eventaa happened here");
    }

    @Test
    void aHugeLineIsAssignedQuicklyWithABoundedTemplate() {
        PatternMiner m = miner(0.5);
        String words = "word 123 ".repeat(120_000);          // ~1 MB, 240,000 tokens
        String blob = "x".repeat(1_000_000);                  // 1 MB, one token
        Assignment a = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> m.assign(words));
        assertThat(a.template().split(" ")).hasSize(LineMasker.MAX_TOKENS);
        assertThat(a.template()).endsWith("<*>");
        Assignment b = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> m.assign(blob));
        assertThat(b.template()).isEqualTo("<BLOB> <*>");   // read up to 64 KB, the rest is one trailing variable
        assertThat(m.assign("payload " + "y".repeat(1000) + " end").template()).isEqualTo("payload <BLOB> end");
        assertThat(m.assign("").template()).isEmpty();
        assertThat(m.assign(null).template()).isEmpty();
        assertThat(m.assign("tab\there\u0000nul \u2028 ünïcødé 日志 \uD83D\uDE00").template()).isNotNull();
    }

    @Test
    void concurrentAssignsCountEveryLineOnce() throws Exception {
        PatternMiner m = miner(0.5);
        String[] users = {"alice", "bob", "carol", "dave", "erin", "frank"};
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        m.assign("Failed password for " + users[(i + seed) % users.length] + " from 10.0.0." + i % 250
                                + " port " + i + " ssh2");
                        m.assign("session closed for user " + users[i % 3]);
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
        assertThat(m.snapshot().stream().mapToLong(PatternState::count).sum()).isEqualTo(16_000);
        assertThat(m.snapshot()).filteredOn(s -> s.mergedInto() == null).extracting(PatternState::template)
                .containsExactlyInAnyOrder("Failed password for <*> from <IP> port <NUM> ssh2",
                        "session closed for user alice", "session closed for user bob", "session closed for user carol");
    }

    @Test
    void aLiteralWildcardInALineIsTextNotAVariable() {
        PatternMiner m = miner(0.5);
        String literal = m.assign("template is alpha <*> gamma delta").patternId();
        String plain = m.assign("template is alpha beta gamma delta").patternId();
        assertThat(m.resolve(plain)).isEqualTo(plain).isNotEqualTo(m.resolve(literal));
    }

    @Test
    void precisionOutsideZeroToOneIsRefused() {
        assertThatThrownBy(() -> new PatternSettings("log", Set.of(), 1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("precision");
        assertThatThrownBy(() -> new PatternSettings("log", Set.of(), Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
