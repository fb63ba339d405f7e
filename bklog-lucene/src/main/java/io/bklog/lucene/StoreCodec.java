package io.bklog.lucene;

import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.StoredFieldsFormat;
import org.apache.lucene.codecs.lucene90.compressing.Lucene90CompressingStoredFieldsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;

/**
 * The codec of the store's new segments: Lucene's default ({@link Lucene912Codec}, best-compression mode) with the
 * stored source compressed by zstd ({@link ZstdCompressionMode}) in Lucene's own stored-fields layout (480 KB chunks
 * of at most 4,096 documents, ten sub-blocks and a preset dictionary each). A segment records its codec's name, found
 * again through {@code META-INF/services} when it is read, so segments written before keep reading with
 * {@code Lucene912} and are rewritten with this codec only when they are merged.
 */
public final class StoreCodec extends FilterCodec {
    /** The name segments record; changing anything this codec writes needs a new name. */
    public static final String NAME = "BklogZstd912";
    private final StoredFieldsFormat storedFields = new Lucene90CompressingStoredFieldsFormat(
            "BklogZstdStoredFields", new ZstdCompressionMode(6), 10 * 48 * 1024, 4096, 10);

    /** For Lucene's codec lookup by name (SPI). */
    public StoreCodec() {
        super(NAME, new Lucene912Codec(Lucene912Codec.Mode.BEST_COMPRESSION));
    }

    @Override
    public StoredFieldsFormat storedFieldsFormat() {
        return storedFields;
    }
}
