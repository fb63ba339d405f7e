package io.bklog.core.search;

import java.util.List;

/**
 * One structured filter of a search, as bklog's {@code addition[]}: {@code {field, operator, value[], condition}}.
 * Operators are bklog's ({@code is}, {@code =}, {@code !=}, {@code is one of}, {@code exists}, {@code >=},
 * {@code contains}, {@code =~}, ...); {@code condition} is {@code and} (default) or {@code or}.
 */
public record Addition(String field, String operator, List<String> value, String condition) {
    public Addition {
        value = value == null ? List.of() : List.copyOf(value);
    }
}
