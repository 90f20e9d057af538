package dev.otimo.inference;

/** An output the client asked for, and whether it wants it as binary data. */
public record RequestedOutput(String name, boolean binary) {
}
