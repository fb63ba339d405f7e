package io.bklog.es;

import co.elastic.clients.elasticsearch._types.ErrorCause;

/** Elasticsearch error causes as one line of text. */
final class EsErrors {
    private EsErrors() {}

    /** {@code type: reason (caused by ...)}, or "unknown error". */
    static String describe(ErrorCause e) {
        if (e == null) return "unknown error";
        StringBuilder sb = new StringBuilder().append(e.type()).append(": ").append(e.reason());
        if (e.causedBy() != null) sb.append(" (caused by ").append(describe(e.causedBy())).append(')');
        return sb.toString();
    }

}
