package io.bklog.core.mask;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One compiled masking step of a field: what to find ({@code pattern}; null = the whole value) and how to replace
 * it. Steps of a field run by ascending {@code sortIndex} (smaller = higher priority).
 *
 * @param name       the rule name, or {@code inline}, for messages
 * @param groupNames the named groups of {@code pattern}, fed to {@link MaskOperator#apply}
 */
public record MaskStep(String name, Pattern pattern, List<String> groupNames, MaskOperator operator, int sortIndex) {
    public MaskStep {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(operator, "operator");
        groupNames = List.copyOf(groupNames);
    }
}
