package io.bklog.core.search;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.mask.Masker;
import io.bklog.core.meta.IndexSet;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Synchronous export (bklog's {@code is_export}): up to {@link #MAX_SYNC_ROWS} matching lines, masked, written as
 * CSV (a header of the index set's fields, RFC 4180 quoting; a text cell beginning with {@code = + - @}, tab or CR
 * gets a leading {@code '} so a spreadsheet shows it instead of running it, as OWASP recommends) or JSON lines, without highlighting. Pages through
 * the store with {@code search_after} on the raw sort values, so masking never affects paging.
 */
public final class ExportService {
    /** bklog's {@code MAX_RESULT_WINDOW} cap of a sync export. */
    public static final int MAX_SYNC_ROWS = SearchRequest.MAX_RESULT_WINDOW;
    static final int PAGE = 1000;

    /** Output formats. */
    public enum Format {
        CSV("csv"), JSONL("log");

        private final String extension;

        Format(String extension) {
            this.extension = extension;
        }

        /** File extension: {@code csv} or {@code log} (bklog's export file is {@code bk_log_search_{index}.log}). */
        public String extension() {
            return extension;
        }

        public static Format parse(String s) {
            String v = s == null ? "jsonl" : s.toLowerCase(Locale.ROOT);
            return switch (v) {
                case "csv" -> CSV;
                case "jsonl", "json", "log" -> JSONL;
                default -> throw new BklogException(ErrorCode.BAD_REQUEST, "file_type must be csv or jsonl (log),"
                        + " got \"" + s + "\"", "file_type");
            };
        }
    }

    private final IndexSetService indexSets;
    private final SearchService search;
    private final LogStore store;
    private final ObjectMapper json = new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    public ExportService(IndexSetService indexSets, SearchService search, LogStore store) {
        this.indexSets = Objects.requireNonNull(indexSets, "indexSets");
        this.search = Objects.requireNonNull(search, "search");
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Writes the matches of {@code params} (its begin/size/search_after/highlight/aggs are ignored) to {@code out};
     * returns how many lines were written (at most {@link #MAX_SYNC_ROWS}).
     */
    public long export(String indexSet, SearchParams params, Format format, Masker masker, OutputStream out) {
        return write(indexSet, params, format, masker, out, MAX_SYNC_ROWS, n -> { });
    }

    /** How many lines match {@code params} (validated like a search); more than {@link #MAX_SYNC_ROWS} need async. */
    public long count(String indexSet, SearchParams params) {
        return count(indexSet, params, Masker.none());
    }

    /** As {@link #count(String, SearchParams)}, refusing masked fields for a caller masked by {@code masker}. */
    public long count(String indexSet, SearchParams params, Masker masker) {
        return store.search(search.request(indexSet, params.withPage(0, 0, null).withAggs(null), masker)).total();
    }

    /**
     * As {@link #export}, without the sync cap: writes up to {@code maxRows} lines ({@link Long#MAX_VALUE} = every
     * match), calling {@code progress} with the lines written so far after each page (it may throw to stop).
     */
    public long write(String indexSet, SearchParams params, Format format, Masker masker, OutputStream out,
                      long maxRows, java.util.function.LongConsumer progress) {
        IndexSet set = indexSets.get(indexSet);
        List<String> columns = params.fields().isEmpty() ? set.fields().stream().map(FieldSpec::name).toList()
                : params.fields();
        SearchRequest first = search.request(indexSet, params.withPage(0, PAGE, null).withAggs(null), masker);
        long written = 0;
        try {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            if (format == Format.CSV) {
                w.write(csvLine(columns.stream().map(c -> (Object) c).toList()));
            }
            List<Object> after = null;
            while (written < maxRows) {
                int size = (int) Math.min(PAGE, maxRows - written);
                SearchRequest r = first.toBuilder().highlight(false).offset(0).size(size).searchAfter(after).build();
                SearchResult page = store.search(r);
                for (SearchResult.Hit h : page.hits()) {
                    Map<String, Object> src = masker.maskSource(h.source());
                    if (format == Format.CSV) {
                        w.write(csvLine(columns.stream().map(src::get).toList()));
                    } else {
                        w.write(json.writeValueAsString(src));
                        w.write('\n');
                    }
                    written++;
                }
                w.flush();
                progress.accept(written);
                if (page.hits().size() < size) break;
                after = page.hits().get(page.hits().size() - 1).sortValues();
            }
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("export of index set '" + indexSet + "' failed while writing", e);
        }
        return written;
    }

    /** A cell a spreadsheet reads as a formula: it begins with {@code = + - @}, a tab or a carriage return. */
    static boolean formulaLike(String s) {
        if (s.isEmpty()) return false;
        char c = s.charAt(0);
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
    }

    private String csvLine(List<Object> values) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) sb.append(',');
            Object v = values.get(i);
            String s = v == null ? "" : v instanceof Map || v instanceof List ? json.writeValueAsString(v)
                    : String.valueOf(v);
            if (!(v instanceof Number) && formulaLike(s)) {
                // OWASP CSV injection: a spreadsheet would run =HYPERLINK(...) or +cmd|...; a leading ' keeps it text
                s = "'" + s;
            }
            if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
                s = '"' + s.replace("\"", "\"\"") + '"';
            }
            sb.append(s);
        }
        return sb.append("\r\n").toString();
    }
}
