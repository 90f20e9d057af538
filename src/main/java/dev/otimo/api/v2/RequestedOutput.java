package dev.otimo.api.v2;

/** An output the client asked for, and whether it wants it as binary data. */
public record RequestedOutput(String name, boolean binary) {
}
