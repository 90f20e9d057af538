package dev.otimo.api.admin;

import dev.otimo.registry.RegistryDatabase;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.util.concurrent.Callable;

/**
 * How the admin controllers run registry work: on {@code boundedElastic}, never on the event loop,
 * and through {@link RegistryDatabase}, so that a database outage answers 503 at once. Changes run
 * {@linkplain #asActor as the authenticated admin}: the services that make them write the audit log.
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

    /** As {@link #blocking}, for a change: the work learns the authenticated admin, whom the service audits. */
    <T> Mono<T> asActor(ActorWork<T> work) {
        return AdminActor.current().flatMap(actor -> blocking(() -> work.call(actor)));
    }

    /** Work done on behalf of an admin. */
    @FunctionalInterface
    interface ActorWork<T> {
        T call(String actor) throws Exception;
    }
}
