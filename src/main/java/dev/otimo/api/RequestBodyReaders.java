package dev.otimo.api;

import org.reactivestreams.Publisher;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the Jackson deserializer of every request body a controller reads before the server takes
 * its first request. Jackson builds a type's first deserializer under a lock; two event loops decoding
 * a new type at once would make one of them park on it. Built once, a type's deserializer is found in
 * the mapper's root cache without the lock.
 */
@Component
class RequestBodyReaders implements SmartInitializingSingleton {

    private final JsonMapper mapper;
    private final List<RequestMappingHandlerMapping> mappings;

    RequestBodyReaders(JsonMapper mapper, List<RequestMappingHandlerMapping> mappings) {
        this.mapper = mapper;
        this.mappings = mappings;
    }

    @Override
    public void afterSingletonsInstantiated() {
        bodyTypes().forEach(mapper::readerFor);
    }

    /** The types of every {@code @RequestBody} parameter (the element type of a Mono or Flux body). */
    Set<JavaType> bodyTypes() {
        Set<JavaType> types = new LinkedHashSet<>();
        for (RequestMappingHandlerMapping mapping : mappings) {
            for (HandlerMethod method : mapping.getHandlerMethods().values()) {
                for (MethodParameter parameter : method.getMethodParameters()) {
                    if (parameter.hasParameterAnnotation(RequestBody.class)) {
                        ResolvableType type = ResolvableType.forMethodParameter(parameter);
                        if (Publisher.class.isAssignableFrom(type.toClass())) {
                            type = type.getGeneric(0);
                        }
                        types.add(mapper.constructType(type.getType()));
                    }
                }
            }
        }
        return types;
    }
}
