package io.bklog.core.patterns;

import io.bklog.core.patterns.PatternMiner.PatternState;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The contract the integration relies on to share patterns between instances through the metadata database:
 * absorb is idempotent and order-independent, a miner rebuilt from a snapshot behaves as the original, resolve ends
 * on a pattern nobody absorbed and never loops, assign accepts any string.
 */
class PatternMinerProperties {

    /** Lines from a few event shapes with word, number, IP and id variables, so generalisation and merges happen. */
    @Provide
    Arbitrary<String> lines() {
        Arbitrary<String> word = Arbitraries.of("root", "admin", "guest", "oracle", "test", "alice", "bob", "carol",
                "dave", "eve");
        Arbitrary<String> number = Arbitraries.integers().between(0, 99999).map(String::valueOf);
        Arbitrary<String> ip = Arbitraries.integers().between(1, 254).list().ofSize(4)
                .map(l -> l.get(0) + "." + l.get(1) + "." + l.get(2) + "." + l.get(3));
        Arbitrary<String> shape = Arbitraries.of(
                "Failed password for %w from %i port %n ssh2",
                "Accepted publickey for %w from %i port %n ssh2",
                "session opened for user %w by (uid=%n)",
                "Receiving block blk_%n src: /%i:%n dest: /%i:%n",
                "%w logged in",
                "connection from %i (%w) at %n",
                "worker %w finished job %w in %n ms",
                "",
                "%w");
        return Combinators.combine(shape, word.list().ofSize(3), number.list().ofSize(3), ip.list().ofSize(2))
                .as((s, w, n, i) -> s.replaceFirst("%w", w.get(0)).replaceFirst("%w", w.get(1))
                        .replaceFirst("%w", w.get(2)).replaceFirst("%n", n.get(0)).replaceFirst("%n", n.get(1))
                        .replaceFirst("%n", n.get(2)).replaceFirst("%i", i.get(0)).replaceFirst("%i", i.get(1))
                        .replace("%w", "x").replace("%n", "1").replace("%i", "10.0.0.1"));
    }

    @Provide
    Arbitrary<Double> precisions() {
        return Arbitraries.of(0.0, 0.25, 0.5, 1.0);
    }

    private static PatternMiner mined(List<String> lines, double precision) {
        PatternMiner m = PatternMiners.create(settings(precision));
        for (String l : lines) m.assign(l);
        return m;
    }

    private static PatternSettings settings(double precision) {
        return new PatternSettings("log", PatternSettings.defaults().maskers(), precision);
    }

    @Property(tries = 200)
    void absorbingTheSameSnapshotTwiceChangesNothing(@ForAll @Size(max = 60) List<@net.jqwik.api.From("lines") String> lines,
                                                    @ForAll("precisions") double precision) {
        List<PatternState> s = mined(lines, precision).snapshot();
        PatternMiner once = PatternMiners.create(settings(precision));
        once.absorb(s);
        PatternMiner twice = PatternMiners.create(settings(precision));
        twice.absorb(s);
        twice.absorb(s);
        twice.absorb(twice.snapshot());
        assertThat(twice.snapshot()).isEqualTo(once.snapshot());
    }

    @Property(tries = 200)
    void absorbingSnapshotsInAnyOrderGivesTheSameState(@ForAll @Size(max = 40) List<@net.jqwik.api.From("lines") String> a,
                                                      @ForAll @Size(max = 40) List<@net.jqwik.api.From("lines") String> b,
                                                      @ForAll @Size(max = 40) List<@net.jqwik.api.From("lines") String> c,
                                                      @ForAll("precisions") double precision, @ForAll long seed) {
        List<List<PatternState>> snapshots = List.of(mined(a, precision).snapshot(), mined(b, precision).snapshot(),
                mined(c, precision).snapshot());
        PatternMiner inOrder = PatternMiners.create(settings(precision));
        snapshots.forEach(inOrder::absorb);
        List<List<PatternState>> shuffled = new ArrayList<>(snapshots);
        Collections.shuffle(shuffled, new Random(seed));
        PatternMiner otherOrder = PatternMiners.create(settings(precision));
        shuffled.forEach(otherOrder::absorb);
        // one state at a time, shuffled, is still the same
        List<PatternState> all = new ArrayList<>();
        snapshots.forEach(all::addAll);
        Collections.shuffle(all, new Random(seed + 1));
        PatternMiner oneByOne = PatternMiners.create(settings(precision));
        for (PatternState s : all) oneByOne.absorb(List.of(s));
        assertThat(otherOrder.snapshot()).isEqualTo(inOrder.snapshot());
        assertThat(oneByOne.snapshot()).isEqualTo(inOrder.snapshot());
    }

    @Property(tries = 200)
    void aMinerRebuiltFromASnapshotAssignsAsTheOriginal(@ForAll @Size(max = 60) List<@net.jqwik.api.From("lines") String> before,
                                                       @ForAll @Size(max = 60) List<@net.jqwik.api.From("lines") String> after,
                                                       @ForAll("precisions") double precision) {
        PatternMiner original = mined(before, precision);
        PatternMiner rebuilt = PatternMiners.create(settings(precision));
        rebuilt.absorb(original.snapshot());
        assertThat(rebuilt.snapshot()).isEqualTo(original.snapshot());
        for (String l : after) {
            assertThat(rebuilt.assign(l)).isEqualTo(original.assign(l));
        }
        assertThat(rebuilt.snapshot()).isEqualTo(original.snapshot());
    }

    @Property(tries = 200)
    void resolveEndsOnAPatternNobodyAbsorbedAndNeverLoops(@ForAll @Size(max = 80) List<@net.jqwik.api.From("lines") String> a,
                                                          @ForAll @Size(max = 80) List<@net.jqwik.api.From("lines") String> b,
                                                          @ForAll("precisions") double precision) {
        PatternMiner m = mined(a, precision);
        m.absorb(mined(b, 1.0 - precision).snapshot());
        List<PatternState> states = m.snapshot();
        Map<String, PatternState> byId = new HashMap<>();
        for (PatternState s : states) byId.put(s.id(), s);
        for (PatternState s : states) {
            String resolved = m.resolve(s.id());
            assertThat(byId.get(resolved).mergedInto()).as("resolve(%s)", s.id()).isNull();
            // following mergedInto by hand reaches the same pattern within as many hops as there are patterns
            String cur = s.id();
            for (int hops = 0; byId.get(cur).mergedInto() != null; hops++) {
                assertThat(hops).isLessThan(states.size());
                cur = byId.get(cur).mergedInto();
            }
            assertThat(cur).isEqualTo(resolved);
        }
        assertThat(m.resolve("no-such-pattern")).isEqualTo("no-such-pattern");
    }

    @Property(tries = 300)
    void assignNeverThrowsOnAnyString(@ForAll String any, @ForAll("precisions") double precision) {
        PatternMiner m = PatternMiners.create(settings(precision));
        assertThatCode(() -> {
            PatternMiner.Assignment a = m.assign(any);
            assertThat(m.resolve(a.patternId())).isEqualTo(a.patternId());
            assertThat(a.template().split(" ", -1).length).isLessThanOrEqualTo(LineMasker.MAX_TOKENS);
        }).doesNotThrowAnyException();
    }

    @Property(tries = 100)
    void templatesNeverShowAMaskedNumberOrAddress(@ForAll @Size(min = 1, max = 40) List<@net.jqwik.api.From("lines") String> lines) {
        PatternMiner m = mined(lines, 0.5);
        for (PatternState s : m.snapshot()) {
            // words in these lines have no digits, "ssh2" aside: any digit left would be a number or an address
            assertThat(s.template().replace("ssh2", "")).doesNotContainPattern("[0-9]");
        }
    }
}
