package dev.otimo.helm;

import static dev.otimo.helm.HelmChart.Manifests.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import dev.otimo.helm.HelmChart.Manifests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Specification of the Helm chart in {@code helm/otimo}: what it renders for default and chosen values,
 * which values its schema refuses, and what its Grafana dashboard queries.
 */
class HelmChartTest {

    /** Prometheus series the server exports, grouped by metric family. */
    private static final Set<String> HISTOGRAMS = Set.of(
            "otimo_request_seconds", "otimo_queue_wait_seconds", "otimo_compute_seconds",
            "otimo_batch_size", "otimo_shadow_divergence");
    private static final Set<String> COUNTERS = Set.of("otimo_requests", "otimo_guard_trips");
    private static final Set<String> GAUGES = Set.of("otimo_queue_depth", "otimo_sessions_live");

    private static final Set<String> PROMQL_KEYWORDS = Set.of(
            "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
            "group_left", "group_right", "inf", "nan");

    // --- lint -------------------------------------------------------------------------------

    @Test
    void lintsCleanlyInStrictModeWithDefaultValues() {
        LintResult result = HelmChart.lintStrict();

        assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    // --- default render ---------------------------------------------------------------------

    @Test
    void defaultRenderContainsDeploymentServiceAutoscalerDisruptionBudgetConfigMapAndSecret() {
        List<String> kinds = HelmChart.render().kinds();

        assertThat(kinds).contains("Deployment", "Service", "HorizontalPodAutoscaler",
                "PodDisruptionBudget", "ConfigMap", "Secret", "ServiceAccount");
        assertThat(kinds).doesNotContain("ServiceMonitor", "PersistentVolumeClaim");
    }

    @Test
    void probesCallActuatorHealthGroupsOnContainerPort8080() {
        Manifests manifests = HelmChart.render();
        Map<String, Object> container = manifests.container();

        assertThat(at(container, "ports", 0, "name")).isEqualTo("http");
        assertThat(at(container, "ports", 0, "containerPort")).isEqualTo(8080);
        assertThat(at(container, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat(at(container, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
        assertThat(at(container, "startupProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertThat(at(container, probe, "httpGet", "port")).as(probe).isEqualTo("http");
        }
        assertThat(HelmChart.renderedProbePaths())
                .isEqualTo(new HelmChart.ProbePaths("/actuator/health/liveness", "/actuator/health/readiness"));
    }

    @Test
    void startupProbeAllowsMinutesForModelWarmUp() {
        Map<String, Object> startup = HelmChart.render().container();
        int period = (Integer) at(startup, "startupProbe", "periodSeconds");
        int failures = (Integer) at(startup, "startupProbe", "failureThreshold");

        assertThat(period * failures).isGreaterThanOrEqualTo(300);
    }

    @Test
    void serviceExposesPort8080ToTheHttpContainerPort() {
        Map<String, Object> service = HelmChart.render().single("Service");

        assertThat(at(service, "spec", "type")).isEqualTo("ClusterIP");
        assertThat(at(service, "spec", "ports", 0, "port")).isEqualTo(8080);
        assertThat(at(service, "spec", "ports", 0, "targetPort")).isEqualTo("http");
    }

    @Test
    void podRunsAsNonRootUserWithReadOnlyRootFilesystemAndNoCapabilities() {
        Manifests manifests = HelmChart.render();

        assertThat(at(manifests.podSpec(), "securityContext", "runAsNonRoot")).isEqualTo(true);
        assertThat(at(manifests.podSpec(), "securityContext", "runAsUser")).isEqualTo(10001);
        assertThat(at(manifests.podSpec(), "securityContext", "fsGroup")).isEqualTo(10001);
        Map<String, Object> container = manifests.container();
        assertThat(at(container, "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(at(container, "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(at(container, "securityContext", "capabilities", "drop")).isEqualTo(List.of("ALL"));
    }

    @Test
    void tmpAndArtifactCacheAreWritableEmptyDirsByDefault() {
        Manifests manifests = HelmChart.render();

        assertThat(volumeMountedAt(manifests, "/tmp")).containsKey("emptyDir");
        assertThat(volumeMountedAt(manifests, "/var/lib/otimo")).containsKey("emptyDir");
        assertThat(at(manifests.env("OTIMO_DATA_DIR"), "value")).isEqualTo("/var/lib/otimo");
    }

    @Test
    void persistenceMountsAClaimAtTheArtifactCache() {
        Manifests manifests = HelmChart.render(Map.of("persistence.enabled", true, "persistence.size", "50Gi"));

        Map<String, Object> claim = manifests.single("PersistentVolumeClaim");
        assertThat(at(claim, "spec", "resources", "requests", "storage")).isEqualTo("50Gi");
        assertThat(at(volumeMountedAt(manifests, "/var/lib/otimo"), "persistentVolumeClaim", "claimName"))
                .isEqualTo(at(claim, "metadata", "name"));
    }

    @Test
    void databaseSettingsComeFromConfigMapAndPasswordsFromTheChartSecret() {
        Manifests manifests = HelmChart.render(Map.of(
                "database.url", "jdbc:postgresql://db.example:5432/registry",
                "database.username", "registry",
                "database.password", "s3cret",
                "admin.password", "admin-s3cret"));
        String name = (String) at(manifests.single("ConfigMap"), "metadata", "name");
        Map<String, Object> secret = manifests.single("Secret");

        assertThat(at(manifests.single("ConfigMap"), "data", "SPRING_DATASOURCE_URL"))
                .isEqualTo("jdbc:postgresql://db.example:5432/registry");
        assertThat(at(manifests.single("ConfigMap"), "data", "SPRING_DATASOURCE_USERNAME")).isEqualTo("registry");
        assertThat(at(manifests.env("SPRING_DATASOURCE_URL"), "valueFrom", "configMapKeyRef", "name")).isEqualTo(name);
        assertThat(at(manifests.env("SPRING_DATASOURCE_USERNAME"), "valueFrom", "configMapKeyRef", "name"))
                .isEqualTo(name);
        assertThat(at(manifests.env("SPRING_DATASOURCE_PASSWORD"), "valueFrom", "secretKeyRef", "name"))
                .isEqualTo(at(secret, "metadata", "name"));
        assertThat(decoded(secret, "database-password")).isEqualTo("s3cret");
        assertThat(decoded(secret, "admin-password")).isEqualTo("admin-s3cret");
        assertThat(at(manifests.env("OTIMO_ADMIN_PASSWORD"), "valueFrom", "secretKeyRef", "key"))
                .isEqualTo("admin-password");
    }

    @Test
    void generatesAnAdminPasswordWhenNoneIsGiven() {
        assertThat(decoded(HelmChart.render().single("Secret"), "admin-password")).hasSize(24);
    }

    @Test
    void podTemplateCarriesChecksumsOfConfigMapAndSecret() {
        Map<String, Object> annotations = Manifests.asMap(
                at(HelmChart.render().single("Deployment"), "spec", "template", "metadata", "annotations"));

        assertThat(annotations).containsKeys("checksum/config", "checksum/secret");
        assertThat(HelmChart.render(Map.of("database.url", "jdbc:postgresql://other:5432/otimo"))
                .single("Deployment"))
                .extracting(d -> at(d, "spec", "template", "metadata", "annotations", "checksum/config"))
                .isNotEqualTo(annotations.get("checksum/config"));
    }

    @Test
    void javaToolOptionsAndExtraEnvReachTheContainer() {
        Manifests manifests = HelmChart.render(Map.of(
                "javaToolOptions", "-Xmx1g",
                "extraEnv[0].name", "OTIMO_EXTRA",
                "extraEnv[0].value", "on"));

        assertThat(at(manifests.env("JAVA_TOOL_OPTIONS"), "value")).isEqualTo("-Xmx1g");
        assertThat(at(manifests.env("OTIMO_EXTRA"), "value")).isEqualTo("on");
    }

    @Test
    void imageDefaultsToTheChartAppVersion() {
        Map<String, Object> container = HelmChart.render().container();

        assertThat(container.get("image")).isEqualTo("ghcr.io/otimo/otimo:0.1.0");
        assertThat(container.get("imagePullPolicy")).isEqualTo("IfNotPresent");
    }

    // --- GPU --------------------------------------------------------------------------------

    @Test
    void runsOnCpuWithoutGpuRequestByDefault() {
        Manifests manifests = HelmChart.render();

        assertThat(Manifests.asMap(at(manifests.container(), "resources", "limits"))).doesNotContainKey("nvidia.com/gpu");
        assertThat(manifests.env("OTIMO_DEFAULT_DEVICE")).isNull();
    }

    @Test
    void gpuEnabledRequestsTheConfiguredGpuCountAndSelectsCuda() {
        Manifests manifests = HelmChart.render(Map.of("gpu.enabled", true, "gpu.count", 2));

        assertThat(at(manifests.container(), "resources", "limits", "nvidia.com/gpu")).isEqualTo(2);
        assertThat(at(manifests.container(), "resources", "limits", "memory")).isEqualTo("4Gi");
        assertThat(at(manifests.env("OTIMO_DEFAULT_DEVICE"), "value")).isEqualTo("cuda");
    }

    // --- secrets ----------------------------------------------------------------------------

    @Test
    void existingSecretReplacesTheChartSecret() {
        Manifests manifests = HelmChart.render(Map.of(
                "existingSecret", "otimo-credentials",
                "secretKeys.databasePassword", "db-pass",
                "secretKeys.adminPassword", "console-pass"));

        assertThat(manifests.kinds()).doesNotContain("Secret");
        assertThat(at(manifests.env("SPRING_DATASOURCE_PASSWORD"), "valueFrom", "secretKeyRef"))
                .isEqualTo(Map.of("name", "otimo-credentials", "key", "db-pass"));
        assertThat(at(manifests.env("OTIMO_ADMIN_PASSWORD"), "valueFrom", "secretKeyRef"))
                .isEqualTo(Map.of("name", "otimo-credentials", "key", "console-pass"));
        assertThat(Manifests.asMap(at(manifests.single("Deployment"), "spec", "template", "metadata", "annotations")))
                .doesNotContainKey("checksum/secret");
    }

    // --- scaling and disruption -------------------------------------------------------------

    @Test
    void autoscalerTargetsCpuUtilizationAndLeavesReplicasToIt() {
        Manifests manifests = HelmChart.render();
        Map<String, Object> hpa = manifests.single("HorizontalPodAutoscaler");

        assertThat(hpa.get("apiVersion")).isEqualTo("autoscaling/v2");
        assertThat(at(hpa, "spec", "scaleTargetRef", "name")).isEqualTo(at(manifests.single("Deployment"), "metadata", "name"));
        assertThat(at(hpa, "spec", "metrics", 0, "resource", "name")).isEqualTo("cpu");
        assertThat(at(hpa, "spec", "metrics", 0, "resource", "target", "averageUtilization")).isEqualTo(70);
        assertThat((List<?>) at(hpa, "spec", "metrics")).hasSize(1);
        assertThat(at(manifests.single("Deployment"), "spec", "replicas")).isNull();
    }

    @Test
    void queueDepthScalingAddsThePodsMetric() {
        Map<String, Object> hpa = HelmChart.render(Map.of(
                "autoscaling.queueDepth.enabled", true,
                "autoscaling.queueDepth.averageValue", "25")).single("HorizontalPodAutoscaler");

        assertThat(at(hpa, "spec", "metrics", 1, "type")).isEqualTo("Pods");
        assertThat(at(hpa, "spec", "metrics", 1, "pods", "metric", "name")).isEqualTo("otimo_queue_depth");
        assertThat(at(hpa, "spec", "metrics", 1, "pods", "target"))
                .isEqualTo(Map.of("type", "AverageValue", "averageValue", "25"));
    }

    @Test
    void disablingAutoscalingSetsReplicaCount() {
        Manifests manifests = HelmChart.render(Map.of("autoscaling.enabled", false, "replicaCount", 3));

        assertThat(manifests.kinds()).doesNotContain("HorizontalPodAutoscaler");
        assertThat(at(manifests.single("Deployment"), "spec", "replicas")).isEqualTo(3);
    }

    @Test
    void disruptionBudgetUsesMaxUnavailableWhenGivenInsteadOfMinAvailable() {
        Map<String, Object> byDefault = Manifests.asMap(HelmChart.render().single("PodDisruptionBudget").get("spec"));
        Map<String, Object> withMax = Manifests.asMap(HelmChart.render(Map.of("podDisruptionBudget.maxUnavailable", "25%"))
                .single("PodDisruptionBudget").get("spec"));

        assertThat(byDefault).containsEntry("minAvailable", 1).doesNotContainKey("maxUnavailable");
        assertThat(withMax).containsEntry("maxUnavailable", "25%").doesNotContainKey("minAvailable");
    }

    // --- monitoring -------------------------------------------------------------------------

    @Test
    void serviceMonitorToggleRendersScrapeOfActuatorPrometheus() {
        Manifests manifests = HelmChart.render(Map.of(
                "metrics.serviceMonitor.enabled", true,
                "metrics.serviceMonitor.interval", "15s",
                "metrics.serviceMonitor.labels.release", "prometheus"));
        Map<String, Object> monitor = manifests.single("ServiceMonitor");

        assertThat(monitor.get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
        assertThat(at(monitor, "metadata", "labels", "release")).isEqualTo("prometheus");
        assertThat(at(monitor, "spec", "endpoints", 0, "port")).isEqualTo("http");
        assertThat(at(monitor, "spec", "endpoints", 0, "path")).isEqualTo("/actuator/prometheus");
        assertThat(at(monitor, "spec", "endpoints", 0, "interval")).isEqualTo("15s");
        assertThat(at(monitor, "spec", "selector", "matchLabels"))
                .isEqualTo(at(manifests.single("Service"), "spec", "selector"));
    }

    @Test
    void dashboardToggleRendersGrafanaLabelledConfigMapWithTheDashboard() throws IOException {
        Map<String, Object> dashboard = HelmChart.render(Map.of("metrics.dashboard.enabled", true))
                .ofKind("ConfigMap").stream()
                .filter(c -> at(c, "metadata", "labels", "grafana_dashboard") != null)
                .findFirst().orElseThrow(() -> new AssertionError("no dashboard ConfigMap rendered"));

        assertThat(at(dashboard, "metadata", "labels", "grafana_dashboard")).isEqualTo("1");
        JsonNode rendered = JSON.readTree((String) at(dashboard, "data", "otimo.json"));
        assertThat(rendered).isEqualTo(JSON.readTree(Files.readString(dashboardFile())));
    }

    @Test
    void monitoringObjectsAreOffByDefault() {
        Manifests manifests = HelmChart.render();

        assertThat(manifests.kinds()).doesNotContain("ServiceMonitor");
        assertThat(manifests.ofKind("ConfigMap"))
                .noneMatch(c -> at(c, "metadata", "labels", "grafana_dashboard") != null);
    }

    // --- schema -----------------------------------------------------------------------------

    @Test
    void schemaRejectsReplicaCountGivenAsString() {
        assertThatThrownBy(() -> HelmChart.template(Map.of("replicaCount", "three")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("replicaCount")
                .hasMessageContaining("Expected: integer");
    }

    @Test
    void schemaRejectsNegativeGpuCount() {
        assertThatThrownBy(() -> HelmChart.template(Map.of("gpu.enabled", true, "gpu.count", -1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gpu.count");
    }

    @Test
    void schemaRejectsUnknownTopLevelKey() {
        assertThatThrownBy(() -> HelmChart.template(Map.of("replicaCuont", 3)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("replicaCuont")
                .hasMessageContaining("not allowed");
    }

    @Test
    void schemaRejectsUnknownPullPolicy() {
        assertThatThrownBy(() -> HelmChart.template(Map.of("image.pullPolicy", "Sometimes")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("image.pullPolicy");
    }

    @Test
    void schemaDescribesEveryDefaultValue() throws IOException {
        JsonNode schema = JSON.readTree(Files.readString(HelmChart.directory().resolve("values.schema.json")));
        Object defaults = new Yaml().load(
                Files.readString(HelmChart.directory().resolve("values.yaml")));

        assertThat(schema.path("$schema").asString()).isEqualTo("http://json-schema.org/draft-07/schema#");
        assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
        assertThat(undescribed(schema, defaults, "")).isEmpty();
    }

    // --- dashboard --------------------------------------------------------------------------

    @Test
    void dashboardQueriesNameOnlyMetricsTheServerExports() throws IOException {
        JsonNode dashboard = JSON.readTree(Files.readString(dashboardFile()));
        List<String> expressions = panelExpressions(dashboard);
        Set<String> exported = exportedSeries();

        assertThat(expressions).isNotEmpty();
        for (String expression : expressions) {
            assertThat(metricNames(expression)).as(expression).isNotEmpty().isSubsetOf(exported);
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            String query = variable.path("query").isObject()
                    ? variable.path("query").path("query").asString()
                    : variable.path("query").asString();
            Matcher labelValues = Pattern.compile("label_values\\((\\w+),").matcher(query);
            if (labelValues.find()) {
                assertThat(exported).as(query).contains(labelValues.group(1));
            }
        }
    }

    @Test
    void dashboardChartsEveryMetricFamilyTheServerExports() throws IOException {
        Set<String> used = panelExpressions(JSON.readTree(Files.readString(dashboardFile()))).stream()
                .flatMap(e -> metricNames(e).stream())
                .map(HelmChartTest::family)
                .collect(Collectors.toSet());

        assertThat(used).containsAll(HISTOGRAMS).containsAll(COUNTERS).containsAll(GAUGES);
    }

    @Test
    void dashboardHasTheOperatorPanels() throws IOException {
        List<String> titles = new ArrayList<>();
        JSON.readTree(Files.readString(dashboardFile())).path("panels")
                .forEach(p -> titles.add(p.path("title").asString()));

        assertThat(titles).contains("Request rate by model and outcome", "Latency p50 / p99", "Queue depth",
                "Batch size p50 / p99", "Compute vs queue time", "Canary guard trips", "Live sessions");
    }

    // --- container image --------------------------------------------------------------------

    @Test
    void defaultImageMatchesWhatTheDockerfileBuilds() throws IOException {
        Path root = HelmChart.directory().getParent().getParent();
        List<String> dockerfile = Files.readAllLines(root.resolve("Dockerfile"));
        Manifests manifests = HelmChart.render();

        assertThat(dockerfile).contains("FROM eclipse-temurin:17-jre", "USER 10001:10001", "EXPOSE 8080",
                "ENTRYPOINT [\"java\",\"-jar\",\"/app/otimo.jar\"]");
        assertThat(dockerfile).anyMatch(l -> l.startsWith("COPY") && l.contains("target/otimo-0.1.0-SNAPSHOT.jar /app/otimo.jar"));
        assertThat(dockerfile).anyMatch(l -> l.contains("docker build -t " + manifests.container().get("image") + " ."));
        assertThat(at(manifests.podSpec(), "securityContext", "runAsUser")).isEqualTo(10001);
        assertThat(at(manifests.container(), "ports", 0, "containerPort")).isEqualTo(8080);
    }

    // --- test support ----------------------------------------------------------------------------

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Path dashboardFile() {
        return HelmChart.directory().resolve("dashboards").resolve("otimo.json");
    }

    private static String decoded(Map<String, Object> secret, String key) {
        return new String(Base64.getDecoder().decode((String) at(secret, "data", key)));
    }

    private static Map<String, Object> volumeMountedAt(Manifests manifests, String mountPath) {
        String volume = ((List<?>) manifests.container().get("volumeMounts")).stream()
                .map(Manifests::asMap)
                .filter(m -> mountPath.equals(m.get("mountPath")))
                .map(m -> (String) m.get("name"))
                .findFirst().orElseThrow(() -> new AssertionError("nothing mounted at " + mountPath));
        return ((List<?>) manifests.podSpec().get("volumes")).stream()
                .map(Manifests::asMap)
                .filter(v -> volume.equals(v.get("name")))
                .findFirst().orElseThrow(() -> new AssertionError("no volume " + volume));
    }

    private static List<String> panelExpressions(JsonNode dashboard) {
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.path("expr").asString());
            }
        }
        return expressions;
    }

    /** Every series name the server exports, e.g. {@code otimo_request_seconds_bucket}. */
    private static Set<String> exportedSeries() {
        Set<String> series = new LinkedHashSet<>(GAUGES);
        COUNTERS.forEach(c -> series.add(c + "_total"));
        for (String histogram : HISTOGRAMS) {
            Stream.of("_bucket", "_sum", "_count", "_max").forEach(s -> series.add(histogram + s));
        }
        return series;
    }

    private static String family(String series) {
        return series.replaceFirst("_(bucket|sum|count|max|total)$", "");
    }

    /**
     * Metric names a PromQL expression selects: identifiers left once strings, label matchers,
     * range selectors and grouping clauses are removed, that are neither function calls nor keywords.
     */
    static Set<String> metricNames(String expression) {
        String bare = expression
                .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Matcher identifier = Pattern.compile("(?<![\\w.$])[a-zA-Z_:][\\w:]*+(?!\\s*\\()").matcher(bare);
        Set<String> names = new LinkedHashSet<>();
        while (identifier.find()) {
            if (!PROMQL_KEYWORDS.contains(identifier.group().toLowerCase())) {
                names.add(identifier.group());
            }
        }
        return names;
    }

    /** Paths of values.yaml keys that the schema has no property for. */
    private static List<String> undescribed(JsonNode schema, Object value, String path) {
        List<String> missing = new ArrayList<>();
        if (!(value instanceof Map<?, ?> map) || !schema.path("properties").isObject()) {
            return missing;
        }
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = String.valueOf(entry.getKey());
            JsonNode property = schema.path("properties").path(key);
            if (property.isMissingNode()) {
                missing.add(path + key);
            } else {
                missing.addAll(undescribed(property, entry.getValue(), path + key + "."));
            }
        }
        return missing;
    }
}
