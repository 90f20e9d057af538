package dev.otimo.api.admin;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

/**
 * The admin console's entry: {@code /admin} and {@code /admin/} answer its index page (the page
 * routes by URL fragment, so no other path needs a fallback); its assets are static resources.
 */
@Configuration
public class ConsoleRoutes {

    @Bean
    RouterFunction<ServerResponse> consoleIndex() {
        Resource index = new ClassPathResource("static/admin/index.html");
        return RouterFunctions.route(GET("/admin").or(GET("/admin/")), request -> index.exists()
                ? ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(index)
                : ServerResponse.notFound().build());
    }
}
