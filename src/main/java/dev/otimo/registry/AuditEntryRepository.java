package dev.otimo.registry;

import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;

import java.util.Collection;
import java.util.List;

public interface AuditEntryRepository extends JpaRepository<AuditEntry, Long> {

    /** Newest first. */
    List<AuditEntry> findByOrderByIdDesc(Pageable page);

    /** Newest first. */
    List<AuditEntry> findByModelNameOrderByIdDesc(String modelName, Pageable page);

    /** Newest first. */
    List<AuditEntry> findByModelNameAndActionInOrderByIdDesc(String modelName, Collection<String> actions, Pageable page);
}
