package io.bklog.spi.query;

import java.util.Objects;

/** One sort key. The store always appends the document id as the last key, so order is total. */
public record Sort(String field, Order order) {
    public enum Order { ASC, DESC }

    public Sort {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(order, "order");
    }

    public static Sort asc(String field) { return new Sort(field, Order.ASC); }
    public static Sort desc(String field) { return new Sort(field, Order.DESC); }
}
