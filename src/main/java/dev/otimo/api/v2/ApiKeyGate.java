package dev.otimo.api.v2;

import dev.otimo.api.ApiException;
import dev.otimo.security.ApiKeyVerifier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/** The v2 endpoints' one API-key rule: with {@code otimo.security.api-keys.required}, only requests with a valid key get further. */
final class ApiKeyGate {

    private ApiKeyGate() {
    }

    /** Throws 401 when keys are required and the request carries none or a wrong one. In memory, no I/O. */
    static void check(ApiKeyVerifier apiKeys, HttpHeaders headers) {
        if (!apiKeys.required()) {
            return;
        }
        String key = headers.getFirst(ApiKeyVerifier.HEADER);
        if (key == null || key.isEmpty()) {
            throw new ApiException(HttpStatus.UNAUTHORIZED, "this server requires an API key: send it in the "
                    + ApiKeyVerifier.HEADER + " header (an admin creates keys with POST /api/v1/api-keys)");
        }
        if (!apiKeys.accepts(key)) {
            throw new ApiException(HttpStatus.UNAUTHORIZED, "the " + ApiKeyVerifier.HEADER
                    + " header does not hold a valid API key (it may have been deleted)");
        }
    }
}
