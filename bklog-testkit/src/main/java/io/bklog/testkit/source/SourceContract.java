package io.bklog.testkit.source;

import io.bklog.spi.Meters;
import io.bklog.spi.source.LineSink;
import io.bklog.spi.source.SettingProblem;
import io.bklog.spi.source.Source;
import io.bklog.spi.source.SourceContext;
import io.bklog.spi.source.SourceFactory;
import io.bklog.spi.source.SourceLine;
import io.bklog.spi.source.SourceStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The contract every collector source passes (the source SPI, {@code io.bklog.spi.source}). A source's test extends
 * this class in a few lines: the factory, settings of a fresh input, a way to write lines into that input, and one
 * bad setting with the key it must be named by. Each test creates sources with {@link #start}, which closes them
 * after the test.
 *
 * <p>What it checks: lines reach the sink in order (with growing positions where the source has them); a RETRYABLE
 * answer is offered again, nothing lost; stop is clean and ends every thread the source started; bad settings are
 * refused naming the key. {@link ReplayableSourceContract} adds the checks of a source that replays.
 */
public abstract class SourceContract {

    private final List<Source> opened = new ArrayList<>();
    private int run;

    /** The factory under test. */
    protected abstract SourceFactory factory();

    /**
     * Valid settings of a fresh, empty input (a new directory, topic or port). Called once per test; a restart in
     * the test uses the same settings.
     */
    protected abstract Map<String, Object> newSettings() throws Exception;

    /** Writes {@code lines} into the input of {@code settings}, in order, as one stream (one file, one partition). */
    protected abstract void produce(Map<String, Object> settings, List<String> lines) throws Exception;

    /** Settings with one bad value (e.g. a missing required key or a value of the wrong type). */
    protected abstract Map<String, Object> badSettings();

    /** The key {@link #badSettings()} must be refused by, e.g. {@code topic}. */
    protected abstract String badSettingKey();

    /**
     * Whether the source keeps a committed position and replays from it: false here (syslog over the network);
     * a source with positions (a file, a topic) extends {@link ReplayableSourceContract}, which adds the replay and
     * restart checks.
     */
    protected boolean replayable() {
        return false;
    }

    /** How long to wait for lines to arrive (raise it for slow backends). */
    protected Duration timeout() {
        return Duration.ofSeconds(30);
    }

    /** The collector name sources are created under; the same across restarts in one test. */
    protected String collector() {
        return "contract-" + getClass().getSimpleName();
    }

    /** Waits until a started source is ready to read what {@link #produce} writes next (default: nothing to do). */
    protected void awaitReady(Source source, Map<String, Object> settings) throws Exception {
    }

    /** Names of threads that may outlive a source (shared JDK pools). */
    protected boolean sharedThread(Thread t) {
        String n = t.getName();
        return n.startsWith("ForkJoinPool") || n.startsWith("CompletableFutureDelayScheduler")
                || n.equals("Attach Listener") || n.startsWith("process reaper") || n.startsWith("Common-Cleaner")
                || n.startsWith("surefire") || n.startsWith("awaitility");
    }

    /** Creates and starts a source over {@code sink}; it is closed after the test. */
    protected Source start(Map<String, Object> settings, LineSink sink) throws Exception {
        Source s = factory().create(settings, context(sink));
        opened.add(s);
        s.start();
        awaitReady(s, settings);
        return s;
    }

    /** The context a source gets in these tests: no meters, the system clock, the given sink. */
    protected SourceContext context(LineSink sink) {
        return new SourceContext() {
            @Override
            public String collector() {
                return SourceContract.this.collector();
            }

            @Override
            public String space() {
                return "default";
            }

            @Override
            public String indexSet() {
                return "contract";
            }

            @Override
            public Clock clock() {
                return Clock.systemUTC();
            }

            @Override
            public Meters meters() {
                return Meters.noop();
            }

            @Override
            public LineSink sink() {
                return sink;
            }
        };
    }

    @AfterEach
    void closeSources() {
        opened.forEach(Source::close);
        opened.clear();
    }

    List<String> lines(int from, int to) {
        run++;
        return IntStream.range(from, to).mapToObj(i -> String.format("contract line %03d of run %d", i, run)).toList();
    }

    void awaitLines(RecordingLineSink sink, int count) {
        await().atMost(timeout()).pollInterval(Duration.ofMillis(20)).until(() -> sink.lines().size() >= count);
    }

    static Set<String> positions(List<SourceLine> lines) {
        Set<String> out = new HashSet<>();
        for (SourceLine l : lines) out.add(l.sourceId() + "@" + l.offset());
        return out;
    }

    @Test
    void linesReachTheSinkInOrderWithTheirPositions() throws Exception {
        Map<String, Object> settings = newSettings();
        assertThat(factory().validate(settings)).as("the test's settings are valid").isEmpty();
        RecordingLineSink sink = new RecordingLineSink();
        start(settings, sink);
        List<String> sent = lines(0, 20);
        produce(settings, sent);

        awaitLines(sink, sent.size());
        assertThat(sink.texts()).containsExactlyElementsOf(sent);
        for (SourceLine l : sink.lines()) {
            assertThat(l.sourceId()).isNotBlank();
            assertThat(l.received()).isNotNull();
        }
        if (replayable()) {
            List<SourceLine> got = sink.lines();
            assertThat(got).allSatisfy(l -> assertThat(l.offset()).as("position of %s", l.text()).isGreaterThanOrEqualTo(0));
            Map<String, Long> last = new LinkedHashMap<>();
            for (SourceLine l : got) {
                Long before = last.put(l.sourceId(), l.offset());
                if (before != null) assertThat(l.offset()).as("positions grow in a stream").isGreaterThan(before);
            }
        }
    }

    @Test
    void aRetryableAnswerIsOfferedAgainNotLost() throws Exception {
        Map<String, Object> settings = newSettings();
        RecordingLineSink sink = new RecordingLineSink().refuseNext(3);
        start(settings, sink);
        List<String> sent = lines(0, 10);
        produce(settings, sent);

        awaitLines(sink, sent.size());
        assertThat(sink.refused()).as("the sink refused batches").isEqualTo(3);
        assertThat(sink.texts()).as("every line once, in order").containsExactlyElementsOf(sent);
    }

    @Test
    void stopIsCleanAndEndsTheSourcesThreads() throws Exception {
        Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        Map<String, Object> settings = newSettings();
        RecordingLineSink sink = new RecordingLineSink();
        Source source = start(settings, sink);
        List<String> sent = lines(0, 3);
        produce(settings, sent);
        awaitLines(sink, sent.size());

        source.stop();
        source.close(); // idempotent after stop
        assertThat(source.status().state()).isEqualTo(SourceStatus.State.STOPPED);
        await().atMost(timeout()).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive).filter(t -> !threadsBefore.contains(t)).filter(t -> !sharedThread(t))
                .map(Thread::getName)).as("threads started by the source and still alive").isEmpty());
    }

    @Test
    void badSettingsAreRefusedNamingTheKey() {
        Map<String, Object> bad = badSettings();
        assertThat(factory().validate(bad)).extracting(SettingProblem::key).contains(badSettingKey());
        assertThatThrownBy(() -> factory().create(bad, context(new RecordingLineSink())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(badSettingKey());
    }
}
