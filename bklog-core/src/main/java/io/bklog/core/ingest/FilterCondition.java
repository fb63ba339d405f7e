package io.bklog.core.ingest;

import java.util.Locale;
import java.util.Objects;

/**
 * One collection filter condition (bklog's {@code separator_filters[]} item / string match).
 *
 * @param fieldIndex 1-based delimiter column, or -1 for the whole line
 * @param op         {@code include}, {@code exclude}, {@code eq}, {@code neq}, {@code regex}, {@code nregex}, or the
 *                   legacy {@code =} / {@code !=} (include/exclude on the line, eq/neq on a column); unknown → {@code =}
 * @param word       the operand; empty words are skipped, as in bklog
 * @param logicOp    {@code and} (default) joins the previous group; {@code or} starts a new group
 */
public record FilterCondition(int fieldIndex, String op, String word, String logicOp) {

    public static final int WHOLE_LINE = -1;

    public FilterCondition {
        Objects.requireNonNull(word, "word");
        op = op == null ? "=" : op.trim().toLowerCase(Locale.ROOT);
        logicOp = logicOp == null || logicOp.isBlank() ? "and" : logicOp.trim().toLowerCase(Locale.ROOT);
        if (!logicOp.equals("and") && !logicOp.equals("or")) {
            throw new IllegalArgumentException("logic_op '" + logicOp + "' must be 'and' or 'or'");
        }
        if (fieldIndex != WHOLE_LINE && fieldIndex < 1) {
            throw new IllegalArgumentException("fieldindex " + fieldIndex + " must be -1 (whole line) or >= 1");
        }
    }

    public static FilterCondition line(String op, String word) {
        return new FilterCondition(WHOLE_LINE, op, word, "and");
    }

    public static FilterCondition column(int index, String op, String word, String logicOp) {
        return new FilterCondition(index, op, word, logicOp);
    }
}
