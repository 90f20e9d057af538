package dev.otimo.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Otimo Helm chart in {@code helm/otimo}, linted and rendered offline by the Helm library that
 * helm-java bundles. No cluster is needed: rendering is {@code helm template}.
 *
 * <p>Other tests use {@link #renderedProbePaths()} to call the very paths that Kubernetes will probe.
 */
public final class HelmChart {

    /** Release name used for every render; with it the chart names its objects {@code otimo}. */
    public static final String RELEASE = "otimo";

    private HelmChart() {
    }

    /** Health endpoints that the rendered Deployment's liveness and readiness probes call. */
    public record ProbePaths(String liveness, String readiness) {
    }

    /** The chart directory, resolved against the Maven base directory when surefire gives one. */
    public static Path directory() {
        Path base = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        Path chart = base.resolve("helm").resolve("otimo");
        if (!Files.isDirectory(chart)) {
            throw new IllegalStateException("Helm chart not found at " + chart);
        }
        return chart;
    }

    /** Runs {@code helm lint --strict} on the chart with its default values. */
    public static LintResult lintStrict() {
        return new Helm(directory()).lint().strict().call();
    }

    /**
     * Runs {@code helm template} with the given {@code --set} style overrides and returns the raw
     * YAML stream. Helm failures (schema violations included) surface as {@link IllegalStateException}
     * carrying Helm's message.
     */
    public static String template(Map<String, ?> values) {
        TemplateCommand command = new Helm(directory()).template().withName(RELEASE);
        values.forEach(command::set);
        return command.call();
    }

    /** Renders the chart with the given overrides and parses every object it produces. */
    public static Manifests render(Map<String, ?> values) {
        return Manifests.parse(template(values));
    }

    /** Renders the chart with default values. */
    public static Manifests render() {
        return render(Map.of());
    }

    /** Renders the chart with default values and returns the HTTP paths its probes call. */
    public static ProbePaths renderedProbePaths() {
        Map<String, Object> container = render().container();
        return new ProbePaths(
                (String) Manifests.at(container, "livenessProbe", "httpGet", "path"),
                (String) Manifests.at(container, "readinessProbe", "httpGet", "path"));
    }

    /** The Kubernetes objects of one render, each parsed from YAML into maps and lists. */
    public record Manifests(List<Map<String, Object>> objects) {

        static Manifests parse(String yamlStream) {
            Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
            List<Map<String, Object>> objects = new ArrayList<>();
            for (Object document : yaml.loadAll(yamlStream)) {
                if (document != null) {
                    objects.add(asMap(document));
                }
            }
            return new Manifests(List.copyOf(objects));
        }

        /** Kinds of all rendered objects, in render order. */
        public List<String> kinds() {
            return objects.stream().map(o -> (String) o.get("kind")).toList();
        }

        /** All rendered objects of the given kind. */
        public List<Map<String, Object>> ofKind(String kind) {
            return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
        }

        /** The single object of the given kind; fails when there is none or more than one. */
        public Map<String, Object> single(String kind) {
            List<Map<String, Object>> found = ofKind(kind);
            if (found.size() != 1) {
                throw new AssertionError("expected one " + kind + " but the chart rendered " + kinds());
            }
            return found.get(0);
        }

        /** The Deployment's pod spec. */
        public Map<String, Object> podSpec() {
            return asMap(at(single("Deployment"), "spec", "template", "spec"));
        }

        /** The Deployment's one container. */
        public Map<String, Object> container() {
            List<?> containers = (List<?>) podSpec().get("containers");
            if (containers.size() != 1) {
                throw new AssertionError("expected one container, got " + containers.size());
            }
            return asMap(containers.get(0));
        }

        /** The container's environment variable with the given name, or null. */
        public Map<String, Object> env(String name) {
            List<?> env = (List<?>) container().get("env");
            return env.stream().map(Manifests::asMap)
                    .filter(e -> name.equals(e.get("name")))
                    .findFirst().orElse(null);
        }

        /**
         * Walks nested maps (by String key) and lists (by Integer index); returns null where the path
         * leads nowhere.
         */
        public static Object at(Object node, Object... path) {
            Object current = node;
            for (Object step : path) {
                if (current instanceof Map<?, ?> map) {
                    current = map.get(step);
                } else if (current instanceof List<?> list && step instanceof Integer index) {
                    current = index < list.size() ? list.get(index) : null;
                } else {
                    return null;
                }
            }
            return current;
        }

        @SuppressWarnings("unchecked")
        static Map<String, Object> asMap(Object node) {
            if (!(node instanceof Map<?, ?>)) {
                throw new AssertionError("expected a YAML mapping, got " + node);
            }
            return (Map<String, Object>) node;
        }
    }
}
