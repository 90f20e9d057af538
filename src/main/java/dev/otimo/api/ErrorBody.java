package dev.otimo.api;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The body of every error response: what was wrong and how to fix it; a 500 adds the id of the
 * server's log line that holds the details.
 */
@Schema(name = "Error", description = "Every 4xx and 5xx response carries this body")
public record ErrorBody(
        @Schema(description = "what was wrong and how to fix it", example = "unknown model 'foo'") String error,
        @Schema(description = "on an internal error (500) only: the id that the server's log line for it carries",
                example = "3f9c2a7d41e08b56", requiredMode = Schema.RequiredMode.NOT_REQUIRED) String correlationId) {
}
