package dev.otimo.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** The body of every error response: what was wrong and how to fix it. */
@Schema(name = "Error", description = "Every 4xx and 5xx response carries this body")
public record ErrorBody(@Schema(description = "what was wrong and how to fix it", example = "unknown model 'foo'") String error) {
}
