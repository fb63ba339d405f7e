package io.bklog.core.query;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One structured filter, as an item of bklog's search {@code addition}: {@code {field, operator, value[]}}.
 * Several values mean "any of them"; a negative operator means "none of them". See {@link Operator} for the
 * operator names accepted and {@link StructuredFilters#toQuery(List)} for the AST each one becomes.
 */
public record StructuredFilter(String field, String operator, List<String> values) {

    public StructuredFilter {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(operator, "operator");
        if (field.isBlank()) throw new IllegalArgumentException("filter field must not be blank");
        values = values == null ? List.of() : values;
        for (String v : values) {
            if (v == null) {
                throw new IllegalArgumentException("filter on field '" + field + "' has a null value in " + values);
            }
        }
        values = List.copyOf(values);
        Operator op = Operator.parse(operator);
        if (op.needsValues() && values.isEmpty()) {
            throw new IllegalArgumentException("filter operator '" + operator + "' on field '" + field
                    + "' needs at least one value");
        }
    }

    public static StructuredFilter of(String field, String operator, String... values) {
        return new StructuredFilter(field, operator, Arrays.asList(values));
    }

    /** The operator this filter's {@link #operator()} names. */
    public Operator kind() {
        return Operator.parse(operator);
    }

    /** The filter operators and the names (bklog's, plus common aliases) that select them. */
    public enum Operator {
        /** equals any of the values */
        IS(true, "is", "=", "eq", "is one of", "in"),
        /** equals none of the values */
        IS_NOT(true, "is not", "!=", "neq", "is not one of", "not in"),
        /** contains any value as a substring ({@code *v*}) */
        CONTAINS(true, "contains"),
        /** contains none of the values as a substring */
        NOT_CONTAINS(true, "not contains"),
        GT(true, ">", "gt"),
        GTE(true, ">=", "gte"),
        LT(true, "<", "lt"),
        LTE(true, "<=", "lte"),
        EXISTS(false, "exists"),
        NOT_EXISTS(false, "does not exists", "does not exist", "not exists"),
        /** matches any of the wildcard patterns */
        WILDCARD(true, "=~"),
        /** matches none of the wildcard patterns */
        NOT_WILDCARD(true, "!=~", "&!=~"),
        /** matches every wildcard pattern */
        ALL_WILDCARD(true, "&=~"),
        IS_TRUE(false, "is true"),
        IS_FALSE(false, "is false"),
        /** contains any of the phrases */
        MATCH_PHRASE(true, "contains match phrase"),
        /** contains none of the phrases */
        NOT_MATCH_PHRASE(true, "not contains match phrase", "all not contains match phrase"),
        /** contains every phrase */
        ALL_MATCH_PHRASE(true, "all contains match phrase");

        private final boolean needsValues;
        private final List<String> names;

        Operator(boolean needsValues, String... names) {
            this.needsValues = needsValues;
            this.names = List.of(names);
        }

        public boolean needsValues() {
            return needsValues;
        }

        public List<String> names() {
            return names;
        }

        /** Every accepted operator name, in declaration order. */
        public static List<String> knownNames() {
            List<String> all = new ArrayList<>();
            for (Operator o : values()) all.addAll(o.names);
            return all;
        }

        /**
         * Finds the operator for a name; case and repeated spaces do not matter.
         *
         * @throws IllegalArgumentException naming the known operators when {@code name} is none of them
         */
        public static Operator parse(String name) {
            String key = name.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
            for (Operator o : values()) {
                if (o.names.contains(key)) return o;
            }
            throw new IllegalArgumentException("unknown filter operator '" + name + "'; known: "
                    + knownNames().stream().map(n -> "'" + n + "'").collect(Collectors.joining(", ")));
        }
    }
}
