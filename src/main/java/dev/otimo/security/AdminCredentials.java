package dev.otimo.security;

/** The admin user and password in effect (configured, or generated at start-up). */
public record AdminCredentials(String username, String password) {

    @Override
    public String toString() {
        return "AdminCredentials[" + username + ", ****]";
    }
}
