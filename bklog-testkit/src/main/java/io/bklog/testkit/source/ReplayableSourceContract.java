package io.bklog.testkit.source;

import io.bklog.spi.source.Source;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The contract of a source that keeps a committed position and replays from it (a file, a topic): everything
 * {@link SourceContract} checks, and that it does not commit a position before the sink said the lines are stored
 * (lines whose storage failed are read again after a restart, with the same positions) and that a restart resumes
 * from the committed position with no loss and no duplicate position.
 */
public abstract class ReplayableSourceContract extends SourceContract {

    @Override
    protected final boolean replayable() {
        return true;
    }

    @Test
    void aPositionIsNotCommittedBeforeTheSinkSaysStored() throws Exception {
        Map<String, Object> settings = newSettings();
        RecordingLineSink held = new RecordingLineSink().holdStorage();
        Source first = start(settings, held);
        List<String> sent = lines(0, 5);
        produce(settings, sent);
        awaitLines(held, sent.size());
        // the store never confirms: the source must not have committed these lines
        held.failStorage("the store is down (contract test)");
        first.close();

        RecordingLineSink again = new RecordingLineSink();
        start(settings, again);
        awaitLines(again, sent.size());
        assertThat(again.texts()).as("lines whose storage failed are read again after a restart")
                .startsWith(sent.toArray(new String[0]));
        assertThat(positions(again.lines())).as("with the same positions, so their ids overwrite")
                .containsAll(positions(held.lines()));
    }

    @Test
    void restartResumesFromTheCommittedPositionWithoutLossOrDuplicates() throws Exception {
        Map<String, Object> settings = newSettings();
        RecordingLineSink firstSink = new RecordingLineSink();
        Source first = start(settings, firstSink);
        List<String> before = lines(0, 5);
        produce(settings, before);
        awaitLines(firstSink, before.size());
        first.close();

        List<String> whileDown = lines(5, 10);
        produce(settings, whileDown);
        RecordingLineSink secondSink = new RecordingLineSink();
        start(settings, secondSink);
        awaitLines(secondSink, whileDown.size());
        // stays at exactly these lines: nothing of the first run is read again
        await().during(Duration.ofSeconds(2)).atMost(timeout())
                .until(() -> secondSink.lines().size() == whileDown.size());
        assertThat(firstSink.texts()).containsExactlyElementsOf(before);
        assertThat(secondSink.texts()).containsExactlyElementsOf(whileDown);
        Set<String> all = positions(firstSink.lines());
        all.addAll(positions(secondSink.lines()));
        assertThat(all).as("no duplicate position across the restart").hasSize(before.size() + whileDown.size());
    }
}
