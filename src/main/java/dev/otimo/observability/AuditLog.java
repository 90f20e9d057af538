package dev.otimo.observability;

import dev.otimo.registry.AuditEntry;
import dev.otimo.registry.AuditEntryRepository;
import org.springframework.data.domain.PageRequest;
import org.springframework.stereotype.Component;

import java.util.Collection;
import java.util.List;

/**
 * The audit log of admin actions: who did what, when, to which model and version. Blocking (JPA):
 * callers on the event loop wrap calls in {@code boundedElastic}.
 */
@Component
public class AuditLog {

    /** The actor of actions Otimo takes by itself, such as guard roll-backs. */
    public static final String SYSTEM = "system";

    private final AuditEntryRepository entries;

    public AuditLog(AuditEntryRepository entries) {
        this.entries = entries;
    }

    public AuditEntry record(String actor, String action, String model, Integer version, String detail) {
        return entries.save(new AuditEntry(actor, action, model, version, detail));
    }

    /** The newest {@code limit} entries, optionally only those about {@code model}; newest first. */
    public List<AuditEntry> recent(int limit, String model) {
        PageRequest page = PageRequest.of(0, limit);
        return model == null ? entries.findByOrderByIdDesc(page) : entries.findByModelNameOrderByIdDesc(model, page);
    }

    /** The newest {@code limit} entries about {@code model} with one of {@code actions}; newest first. */
    public List<AuditEntry> recent(int limit, String model, Collection<String> actions) {
        return entries.findByModelNameAndActionInOrderByIdDesc(model, actions, PageRequest.of(0, limit));
    }
}
