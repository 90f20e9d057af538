package dev.otimo.api.admin;

import dev.otimo.registry.RegistryDatabase;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.util.concurrent.Callable;

/**
 * How the admin controllers run registry work: on {@code boundedElastic}, never on the event loop,
 * and through {@link RegistryDatabase}, so that a database outage answers 503 at once.
 */
@Component
class AdminCalls {

    private final RegistryDatabase database;

    AdminCalls(RegistryDatabase database) {
        this.database = database;
    }

    <T> Mono<T> blocking(Callable<T> work) {
        return Mono.fromCallable(() -> database.call(work)).subscribeOn(Schedulers.boundedElastic());
    }
}
