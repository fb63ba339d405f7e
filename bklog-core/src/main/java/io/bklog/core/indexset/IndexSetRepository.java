package io.bklog.core.indexset;

import java.util.List;
import java.util.Optional;

/** Where index set definitions are kept (in memory, or in the metadata database). */
public interface IndexSetRepository {

    Optional<IndexSet> find(String name);

    /** All index sets, by name. */
    List<IndexSet> list();

    /** Inserts or replaces the index set of that name. */
    void save(IndexSet indexSet);
}
