package dev.otimo.api.admin;

import dev.otimo.api.ApiException;
import dev.otimo.api.ErrorBody;
import dev.otimo.security.ApiKey;
import dev.otimo.security.ApiKeyService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.util.List;


/** Admin API for the API keys that inference requires when {@code otimo.security.api-keys.required} is on. */
@RestController
@RequestMapping(path = "/api/v1/api-keys", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "admin: API keys", description = "keys for the inference API; stored hashed, shown once")
@SecurityRequirement(name = "basic")
@SecurityRequirement(name = "bearer")
@ApiResponse(responseCode = "401", description = "missing or wrong credentials", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
public class ApiKeyAdminController {

    private final ApiKeyService keys;

    private final AdminCalls calls;

    public ApiKeyAdminController(ApiKeyService keys, AdminCalls calls) {
        this.keys = keys;
        this.calls = calls;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a key; the response is the only place the key is ever shown")
    @ApiResponse(responseCode = "400", description = "missing or bad name", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "409", description = "name taken", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<ApiKeyViews.CreatedApiKey> create(@RequestBody(required = false) ApiKeyViews.CreateApiKey body) {
        return calls.asActor(actor -> {
            if (body == null) {
                throw ApiException.badRequest("send {\"name\": \"...\"} naming who will use the key");
            }
            ApiKeyService.Issued issued = keys.create(actor, body.name());
            ApiKey k = issued.key();
            return new ApiKeyViews.CreatedApiKey(k.getId(), k.getName(), issued.secret(), k.getCreatedAt());
        });
    }

    @GetMapping
    @Operation(summary = "List keys (names and dates; never the keys themselves)")
    public Mono<List<ApiKeyViews.ApiKeyView>> list() {
        return calls.blocking(() -> keys.list().stream()
                .map(k -> new ApiKeyViews.ApiKeyView(k.getId(), k.getName(), k.getCreatedAt())).toList());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a key; requests presenting it are refused from then on, on every replica")
    @ApiResponse(responseCode = "404", description = "no such key", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    public Mono<Void> delete(@PathVariable long id) {
        return calls.asActor(actor -> {
            keys.delete(actor, id);
            return true;
        }).then();
    }
}
