package io.bklog.core.mask;

import io.bklog.core.regex.SafePattern;

import java.util.List;
import java.util.Objects;

/**
 * One compiled masking step of a field: what to find ({@code pattern}, linear-time matching, see {@link SafePattern};
 * null = the whole value) and how to replace it. Smaller {@code sortIndex} = higher priority (it picks the mark of a
 * character several steps mask, see {@link Masker}).
 *
 * @param name       the rule name, or {@code inline}, for messages
 * @param groupNames the named groups of {@code pattern}, fed to {@link MaskOperator#apply}
 */
public record MaskStep(String name, SafePattern pattern, List<String> groupNames, MaskOperator operator,
                       int sortIndex) {
    public MaskStep {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(operator, "operator");
        groupNames = List.copyOf(groupNames);
    }
}
