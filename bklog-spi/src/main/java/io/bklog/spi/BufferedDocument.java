package io.bklog.spi;

import java.util.Objects;

/** A document on its way to an index set; {@code key} (e.g. the source id) keeps order per source. */
public record BufferedDocument(String indexSet, String key, LogDocument document) {
    public BufferedDocument {
        Objects.requireNonNull(indexSet, "indexSet");
        Objects.requireNonNull(document, "document");
        key = key == null ? document.id() : key;
    }
}
