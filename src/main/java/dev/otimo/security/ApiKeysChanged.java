package dev.otimo.security;

/**
 * Published after an API key was created or deleted.
 *
 * @param remote true when it happened through another replica and arrived as a notification
 */
public record ApiKeysChanged(boolean remote) {
}
