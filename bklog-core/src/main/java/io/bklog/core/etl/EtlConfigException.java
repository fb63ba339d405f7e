package io.bklog.core.etl;

import java.util.List;
import java.util.stream.Collectors;

/** An ETL config is invalid; {@link #errors()} lists every problem with its position. */
public class EtlConfigException extends IllegalArgumentException {
    private final transient List<EtlConfigError> errors;

    public EtlConfigException(List<EtlConfigError> errors) {
        super("invalid etl config: " + errors.stream().map(EtlConfigError::toString).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public List<EtlConfigError> errors() {
        return errors;
    }
}
