package dev.otimo.security;

import dev.otimo.observability.AuditLog;
import dev.otimo.registry.ConflictException;
import dev.otimo.registry.NotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * Creates, lists and deletes API keys. A key is 256 random bits; the database keeps its sha256.
 * Blocking: callers on the event loop wrap calls in {@code boundedElastic}.
 */
@Service
public class ApiKeyService {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyService.class);
    private static final String PREFIX = "otimo_";

    private final ApiKeyRepository keys;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final AuditLog audit;
    private final SecureRandom random = new SecureRandom();

    public ApiKeyService(ApiKeyRepository keys, TransactionTemplate tx, ApplicationEventPublisher events, AuditLog audit) {
        this.keys = keys;
        this.audit = audit;
        this.tx = tx;
        this.events = events;
    }

    /** A key just created: the only moment its secret is known. */
    public record Issued(ApiKey key, String secret) {

        @Override
        public String toString() {
            return "Issued[" + key.getName() + ", ****]";
        }
    }

    /** Creates a key; audited as {@code apikey.create} (name and id, never the secret). */
    public Issued create(String actor, String name) {
        String trimmed = name == null ? "" : name.strip();
        if (trimmed.isEmpty() || trimmed.length() > 128 || trimmed.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("send {\"name\": \"...\"}: an API key needs a name of 1-128 printable characters");
        }
        byte[] bits = new byte[32];
        random.nextBytes(bits);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
        ApiKey saved;
        try {
            saved = tx.execute(s -> {
                if (keys.existsByName(trimmed)) {
                    throw new ConflictException("an API key named '" + trimmed + "' already exists; pick another name or delete it first");
                }
                ApiKey created = keys.saveAndFlush(new ApiKey(trimmed, ApiKey.hashHex(secret)));
                audit.record(actor, "apikey.create", null, null, "key '" + trimmed + "' (id " + created.getId() + ")");
                return created;
            });
        } catch (DataIntegrityViolationException e) {
            throw new ConflictException("an API key named '" + trimmed + "' already exists; pick another name or delete it first");
        }
        log.info("API key '{}' (id {}) created", saved.getName(), saved.getId());
        events.publishEvent(new ApiKeysChanged(false));
        return new Issued(saved, secret);
    }

    public List<ApiKey> list() {
        return keys.findAllByOrderByIdAsc();
    }

    /** Deletes a key; audited as {@code apikey.delete}. */
    public void delete(String actor, long id) {
        ApiKey deleted = tx.execute(s -> {
            ApiKey key = keys.findById(id).orElseThrow(() -> new NotFoundException("there is no API key with id " + id));
            keys.delete(key);
            audit.record(actor, "apikey.delete", null, null, "key '" + key.getName() + "' (id " + id + ")");
            return key;
        });
        log.info("API key '{}' (id {}) deleted", deleted.getName(), id);
        events.publishEvent(new ApiKeysChanged(false));
    }
}
