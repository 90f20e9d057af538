package dev.otimo.cluster;

/**
 * One change announced to the other replicas: the PostgreSQL notification channel it travels on,
 * the replica it comes from, and what it is about (the model, for registry changes). The payload is
 * {@code <origin>|<subject>}.
 */
record ChangeNotice(String channel, String origin, String subject) {

    /** Models, versions, deployments and routing. */
    static final String REGISTRY = "otimo_registry";
    /** API keys. */
    static final String API_KEYS = "otimo_api_keys";

    String payload() {
        return origin + "|" + (subject == null ? "" : subject);
    }

    /** The notice in a notification, or null when the payload is not one of ours. */
    static ChangeNotice parse(String channel, String payload) {
        int bar = payload == null ? -1 : payload.indexOf('|');
        if (bar <= 0) {
            return null;
        }
        return new ChangeNotice(channel, payload.substring(0, bar), payload.substring(bar + 1));
    }
}
