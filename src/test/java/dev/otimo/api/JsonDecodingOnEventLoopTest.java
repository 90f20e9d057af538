package dev.otimo.api;

import dev.otimo.support.DeserializerLock;
import dev.otimo.support.ServerTest;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request bodies are decoded on event-loop threads. Jackson builds a type's first deserializer under
 * a lock, so two first-time decodes at once would park one event loop; every body type the
 * controllers read must already be built when the server takes its first request.
 */
class JsonDecodingOnEventLoopTest extends ServerTest {

    @Autowired
    JsonMapper mapper;

    @Autowired
    List<RequestMappingHandlerMapping> mappings;

    @Test
    void everyRequestBodyTypeDecodesWithoutWaitingForJacksonsLock() throws InterruptedException {
        List<JavaType> bodies = new ArrayList<>();
        for (RequestMappingHandlerMapping mapping : mappings) {
            for (HandlerMethod method : mapping.getHandlerMethods().values()) {
                for (MethodParameter p : method.getMethodParameters()) {
                    if (p.hasParameterAnnotation(RequestBody.class)) {
                        ResolvableType type = ResolvableType.forMethodParameter(p);
                        if (Publisher.class.isAssignableFrom(type.toClass())) {
                            type = type.getGeneric(0);
                        }
                        bodies.add(mapper.constructType(type.getType()));
                    }
                }
            }
        }
        assertThat(bodies).as("request body types the controllers read").hasSizeGreaterThanOrEqualTo(5);
        DeserializerLock.readAllOnAnEventLoopWhileHeld(mapper, bodies);
    }

    @Test
    void theTestClientDecodesResponsesWithoutWaitingForJacksonsLock() throws InterruptedException {
        // the test's own client decodes answers on its event loops too (8 uploads at once once parked there)
        DeserializerLock.readAllOnAnEventLoopWhileHeld(JSON, List.of(JSON.constructType(tools.jackson.databind.JsonNode.class),
                JSON.constructType(String.class), JSON.constructType(java.util.Map.class)));
    }
}
