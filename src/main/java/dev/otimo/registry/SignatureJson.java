package dev.otimo.registry;

import dev.otimo.runtime.Signature;
import tools.jackson.databind.json.JsonMapper;

/** The stored JSON form of a {@link Signature}. */
public final class SignatureJson {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private SignatureJson() {
    }

    public static String write(Signature signature) {
        return JSON.writeValueAsString(signature);
    }

    public static Signature read(String json) {
        return JSON.readValue(json, Signature.class);
    }
}
