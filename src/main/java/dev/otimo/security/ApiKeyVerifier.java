package dev.otimo.security;

import dev.otimo.config.SecurityProperties;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks the API key of an inference request against an in-memory copy of the stored hashes, so the
 * hot path never waits for the database. The copy is reloaded whenever keys change here or on
 * another replica, and by the periodic reconcile.
 */
@Component
public class ApiKeyVerifier implements SmartInitializingSingleton {

    /** The request header that carries the key. */
    public static final String HEADER = "X-Api-Key";

    private final ApiKeyRepository keys;
    private final boolean required;
    private volatile byte[][] hashes = new byte[0][];

    public ApiKeyVerifier(ApiKeyRepository keys, SecurityProperties properties) {
        this.keys = keys;
        this.required = properties.apiKeys().required();
    }

    /** Whether inference requests must present a key ({@code otimo.security.api-keys.required}). */
    public boolean required() {
        return required;
    }

    /**
     * True when {@code presented} is one of the stored keys. Compares the presented key's hash with
     * every stored hash in constant time, without stopping at the first match.
     */
    public boolean accepts(String presented) {
        if (presented == null || presented.isEmpty() || presented.length() > 256) {
            return false;
        }
        byte[] candidate = ApiKey.hash(presented);
        boolean match = false;
        for (byte[] stored : hashes) {
            match |= MessageDigest.isEqual(stored, candidate);
        }
        return match;
    }

    /** Reloads the stored hashes (blocking; never on the event loop). */
    public synchronized void refresh() {
        List<String> all = keys.allHashes();
        hashes = all.stream().map(HexFormat.of()::parseHex).toArray(byte[][]::new);
    }

    @EventListener
    public void onApiKeysChanged(ApiKeysChanged event) {
        refresh();
    }

    @Override
    public void afterSingletonsInstantiated() {
        refresh();
    }
}
