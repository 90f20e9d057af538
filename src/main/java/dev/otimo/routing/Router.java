package dev.otimo.routing;

import dev.otimo.serving.LiveDeployment;
import dev.otimo.serving.ServedModel;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Optional;

/**
 * Chooses the deployment that serves a request naming no version. Without a routing policy the
 * newest serving version takes all traffic.
 */
@Component
public class Router {

    /** The deployment for an unversioned request, or empty when no version of the model serves. */
    public Optional<LiveDeployment> route(ServedModel model, HttpHeaders headers) {
        List<LiveDeployment> serving = model.servingDeployments();
        return serving.isEmpty() ? Optional.empty() : Optional.of(serving.get(0));
    }
}
