package io.bklog.lucene;

import org.apache.lucene.codecs.compressing.Compressor;
import org.apache.lucene.codecs.compressing.Decompressor;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.store.ByteBuffersDataInput;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Any window of a compressed chunk reads back exactly, whatever the chunk's size (a dictionary or none). */
class ZstdCompressionModeTest {
    @Test
    void everyWindowOfAChunkReadsBackExactly() throws Exception {
        Random rnd = new Random(5);
        ZstdCompressionMode mode = new ZstdCompressionMode(6);
        for (int size : new int[] {1, 7, 59, 60, 61, 600, 4_096, 100_003, 491_520}) {
            byte[] chunk = new byte[size];
            StringBuilder lines = new StringBuilder();
            while (lines.length() < size) {
                lines.append("081109 2036").append(rnd.nextInt(100)).append(" INFO dfs.DataNode: block blk_")
                        .append(rnd.nextLong()).append(" terminating\n");
            }
            System.arraycopy(lines.toString().getBytes(StandardCharsets.UTF_8), 0, chunk, 0, size);
            ByteBuffersDataOutput out = new ByteBuffersDataOutput();
            try (Compressor c = mode.newCompressor()) {
                c.compress(new ByteBuffersDataInput(List.of(ByteBuffer.wrap(chunk))), out);
            }
            byte[] compressed = out.toArrayCopy();
            Decompressor d = mode.newDecompressor();
            for (int k = 0; k < 50; k++) {
                int offset = k == 0 ? 0 : rnd.nextInt(size);
                int length = k == 1 ? size : k == 2 ? 0 : rnd.nextInt(Math.min(size - offset, 5_000) + 1);
                if (k == 1) offset = 0;
                BytesRef bytes = new BytesRef();
                d.decompress(new ByteArrayDataInput(compressed), size, offset, length, bytes);
                assertThat(bytes.length).isEqualTo(length);
                assertThat(Arrays.copyOfRange(bytes.bytes, bytes.offset, bytes.offset + bytes.length))
                        .isEqualTo(Arrays.copyOfRange(chunk, offset, offset + length));
            }
            d.clone(); // a reader's copy starts afresh
        }
    }
}
