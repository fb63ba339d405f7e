package io.bklog.core.memory;

import io.bklog.spi.IngestBuffer;
import io.bklog.testkit.IngestBufferContract;

class InProcessIngestBufferTest extends IngestBufferContract {
    @Override
    protected IngestBuffer createBuffer(int capacity) {
        return new InProcessIngestBuffer(capacity);
    }
}
