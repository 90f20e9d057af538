package dev.otimo.api.admin;

import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;

/** JSON bodies of the API key endpoints. */
public final class ApiKeyViews {

    private ApiKeyViews() {
    }

    @Schema(name = "CreateApiKeyRequest")
    public record CreateApiKey(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "checkout-service") String name) {
    }

    @Schema(name = "ApiKey", description = "a stored key; the key itself is never shown again after creation")
    public record ApiKeyView(long id, String name, Instant createdAt) {
    }

    @Schema(name = "CreatedApiKey", description = "a new key: store 'key' now, it cannot be read again")
    public record CreatedApiKey(long id, String name,
                                @Schema(description = "send it in the X-Api-Key header of inference requests") String key,
                                Instant createdAt) {

        @Override
        public String toString() {
            return "CreatedApiKey[" + id + ", " + name + ", ****]";
        }
    }
}
