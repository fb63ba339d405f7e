package io.bklog.core.search;

import io.bklog.core.meta.IndexSet;
import io.bklog.spi.query.Query;

import java.time.Instant;
import java.util.List;

/**
 * The query language a {@link SearchService} speaks: keyword query strings, bklog's structured filters and time
 * expressions, each checked against the index set. Errors are {@link io.bklog.core.BklogException}s with
 * {@code bad_query} (with the position), {@code unknown_field} or {@code bad_request}.
 */
public interface SearchSyntax {

    /** Parses a query string (never blank; {@code *} = everything) and checks its fields. */
    Query keyword(String keyword, IndexSet indexSet);

    /** Turns bklog {@code addition[]} filters into one query, checking their fields and operators. */
    Query additions(List<Addition> additions, IndexSet indexSet);

    /** Resolves a time expression (ISO-8601, epoch millis, {@code now-15m}) against {@code now}. */
    Instant time(String expression, Instant now, String param);
}
