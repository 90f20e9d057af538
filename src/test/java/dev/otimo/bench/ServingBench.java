package dev.otimo.bench;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.otimo.OtimoApplication;
import dev.otimo.batching.BatchingPolicy;
import dev.otimo.onnx.Mlp;
import dev.otimo.onnx.ModelInspector;
import dev.otimo.registry.DeploymentSpec;
import dev.otimo.registry.RegistryService;
import dev.otimo.runtime.OrtRuntime;
import dev.otimo.runtime.Signature;
import dev.otimo.serving.DeploymentManager;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.SerializationFeature;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The serving benchmark (bench/README.md): in one run on one machine it measures (a) raw in-process
 * ONNX Runtime throughput at batch 1..128, (b) a bare Reactor Netty echo server with the same
 * payloads and load generator, and (c, d) Otimo over HTTP with batching off and on, for 1, 8 and
 * 64 closed-loop clients sending single-row requests, JSON and binary, on MLP 4×1024, MLP 4×2048
 * and a small MLP 256-512-10. Prints a table with the ratios the targets name and writes JSON.
 *
 * <p>System properties: {@code bench.seconds} (measure time per cell, default 4),
 * {@code bench.warmup} (default 2), {@code bench.threads} (intra-op threads, default 2),
 * {@code bench.models} (comma list of small, mlp1024, mlp2048), {@code bench.delay} (µs, default the
 * server default), {@code bench.out} (JSON path).
 */
public final class ServingBench {

    private static final int[] CLIENTS = java.util.Arrays.stream(System.getProperty("bench.clients", "64,8,1").split(","))
            .mapToInt(Integer::parseInt).toArray();
    private static final List<String> ENCODINGS = List.of(System.getProperty("bench.encodings", "json,binary").split(","));

    record ModelCase(String name, ModelProto proto, int width) {
    }

    record Cell(String model, String encoding, String batching, int clients, LoadGenerator.Result result) {
    }

    /** Where the load comes from: {@code wrk} in another process (when installed), or the in-JVM client. */
    private static final boolean WRK = !"jvm".equals(System.getProperty("bench.load", "wrk")) && Wrk.available();
    private static Wrk wrk;

    /** One measured cell, from the configured load generator. */
    private static LoadGenerator.Result load(String url, byte[] body, Map<String, String> headers, int clients,
                                             Duration warm, Duration measure) throws Exception {
        return WRK ? wrk.run(url, body, headers, clients, measure)
                : LoadGenerator.run(url, body, headers, clients, warm, measure);
    }

    public static void main(String[] args) throws Exception {
        double seconds = Double.parseDouble(System.getProperty("bench.seconds", "4"));
        double warmup = Double.parseDouble(System.getProperty("bench.warmup", "2"));
        int threads = Integer.getInteger("bench.threads", 2);
        long delay = Long.getLong("bench.delay", BatchingPolicy.DEFAULT.maxQueueDelayMicros());
        List<String> wanted = List.of(System.getProperty("bench.models", "small,mlp1024,mlp2048").split(","));
        Path out = Path.of(System.getProperty("bench.out", "bench/results/serving-latest.json"));

        List<ModelCase> models = new ArrayList<>();
        if (wanted.contains("small")) {
            models.add(new ModelCase("mlp-256-512-10", Mlp.layered("small", new int[] {256, 512, 10}, 11), 256));
        }
        if (wanted.contains("mlp1024")) {
            models.add(new ModelCase("mlp-4x1024", Mlp.square(1024, 4, 21), 1024));
        }
        if (wanted.contains("mlp2048")) {
            models.add(new ModelCase("mlp-4x2048", Mlp.square(2048, 4, 31), 2048));
        }

        Path dir = Files.createTempDirectory("otimo-bench-");
        wrk = new Wrk(dir);
        Duration settleRound = Duration.ofSeconds(Long.getLong("bench.settle-seconds", 10));
        int settleRounds = Integer.getInteger("bench.settle-rounds", 8);
        Duration warm = Duration.ofMillis((long) (warmup * 1000));
        Duration measure = Duration.ofMillis((long) (seconds * 1000));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("date", Instant.now().toString());
        report.put("machine", Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("java.vm.name")
                + " " + System.getProperty("java.version"));
        report.put("cpuFlags", cpuFlags());
        report.put("load", WRK ? "wrk (another process), each target settled at 64 clients in rounds of "
                + settleRound.toSeconds() + " s until two are within " + (int) (Wrk.SETTLED * 100) + "%" : "in-JVM Reactor Netty client");
        report.put("leanRoute", !"false".equals(System.getProperty("bench.lean")));
        report.put("answerOnEventLoop", !"false".equals(System.getProperty("bench.answer-on-event-loop")));
        report.put("intraOpThreads", threads);
        report.put("secondsPerCell", seconds);
        report.put("batchingOn", Map.of("maxBatchSize", 128, "maxQueueDelayMicros", delay));

        ConfigurableApplicationContext otimo = new SpringApplication(OtimoApplication.class).run(
                "--server.port=0", "--otimo.data-dir=" + dir, "--otimo.demo.enabled=false",
                "--otimo.admin.password=bench", "--otimo.runtime.intra-op-threads=" + threads,
                "--otimo.max-request-size=64MB", "--otimo.inference.lean-route=" + !"false".equals(System.getProperty("bench.lean")),
                "--otimo.inference.answer-on-event-loop=" + !"false".equals(System.getProperty("bench.answer-on-event-loop")), "--otimo.runtime.allow-spinning=" + Boolean.getBoolean("bench.spin"), "--logging.level.root=WARN", "--logging.level.dev.otimo=WARN");
        int port = Integer.parseInt(otimo.getEnvironment().getProperty("local.server.port"));
        RegistryService registry = otimo.getBean(RegistryService.class);
        DeploymentManager manager = otimo.getBean(DeploymentManager.class);
        OrtRuntime runtime = otimo.getBean(OrtRuntime.class);

        List<Cell> cells = new ArrayList<>();
        Map<String, Object> raw = new LinkedHashMap<>();
        Map<String, Object> echo = new LinkedHashMap<>();
        Map<String, Object> ratios = new LinkedHashMap<>();
        Map<String, Object> settled = new LinkedHashMap<>();
        report.put("warmupRowsPerSecond", settled);
        try (EchoServer echoServer = new EchoServer()) {
            for (ModelCase m : models) {
                Path file = dir.resolve(m.name() + ".onnx");
                Files.write(file, m.proto().toByteArray());
                Signature signature = ModelInspector.inspect(file).signature();
                System.out.printf(Locale.ROOT, "%n== %s: raw ONNX Runtime, %d threads%n", m.name(), threads);
                Map<Integer, Double> a = RawThroughput.measure(runtime, file, signature, m.width(), threads, Math.max(1.0, seconds / 2));
                a.forEach((b, r) -> System.out.printf(Locale.ROOT, "   batch %4d: %10.0f rows/s%n", b, r));
                raw.put(m.name(), a);

                registry.createModel("bench", m.name(), "benchmark");
                int off = register(registry, dir, m);
                int on = register(registry, dir, m);
                registry.deploy("bench", m.name(), off, new DeploymentSpec("cpu", 1, threads, BatchingPolicy.OFF));
                registry.deploy("bench", m.name(), on, new DeploymentSpec("cpu", Integer.getInteger("bench.instances", 1), threads,
                        new BatchingPolicy(128, delay, List.of(), 4096, 0, 1)));
                manager.reconcile().join();

                float[] row = RawThroughput.random(m.width(), 7);
                Map<String, byte[]> bodies = Map.of("json", jsonRequest(row), "binary", binaryRequest(row));
                Map<String, Map<String, String>> headers = Map.of(
                        "json", Map.of("Content-Type", "application/json"),
                        "binary", Map.of("Content-Type", "application/octet-stream",
                                "Inference-Header-Content-Length", Integer.toString(binaryHeader(row.length).length)));
                // JIT warm-up of the whole serving path before anything is measured
                for (String encoding : ENCODINGS) {
                    Map<String, String> urls = new LinkedHashMap<>();
                    urls.put("echo", echoServer.url());
                    urls.put("off", "http://127.0.0.1:" + port + "/v2/models/" + m.name() + "/versions/" + off + "/infer");
                    urls.put("on", "http://127.0.0.1:" + port + "/v2/models/" + m.name() + "/versions/" + on + "/infer");
                    for (Map.Entry<String, String> target : urls.entrySet()) {
                        if (WRK) {
                            List<Double> rounds = wrk.settle(target.getValue(), bodies.get(encoding), headers.get(encoding), 64,
                                    settleRound, settleRounds);
                            settled.put(m.name() + "/" + encoding + "/" + target.getKey(), rounds);
                            System.out.printf(Locale.ROOT, "   warm-up %s %s %s: %s rows/s%n", m.name(), encoding, target.getKey(),
                                    rounds.stream().map(r -> String.format(Locale.ROOT, "%.0f", r)).toList());
                        } else {
                            LoadGenerator.run(target.getValue(), bodies.get(encoding), headers.get(encoding), 64,
                                    warm.multipliedBy(2), Duration.ofMillis(100));
                        }
                    }
                }
                for (String encoding : ENCODINGS) {
                    for (int clients : CLIENTS) {
                        LoadGenerator.Result e = load(echoServer.url(), bodies.get(encoding), headers.get(encoding), clients, warm, measure);
                        echo.put(m.name() + "/" + encoding + "/" + clients, e);
                        cells.add(new Cell(m.name(), encoding, "echo", clients, e));
                        print(cells.get(cells.size() - 1));
                        for (String batching : List.of("off", "on")) {
                            int version = batching.equals("off") ? off : on;
                            String url = "http://127.0.0.1:" + port + "/v2/models/" + m.name() + "/versions/" + version + "/infer";
                            LoadGenerator.Result r = load(url, bodies.get(encoding), headers.get(encoding), clients, warm, measure);
                            cells.add(new Cell(m.name(), encoding, batching, clients, r));
                            print(cells.get(cells.size() - 1));
                        }
                    }
                }
                if (ENCODINGS.size() == 2 && CLIENTS.length == 3) {
                    ratios.put(m.name(), ratios(m.name(), a, cells));
                }
                registry.undeploy("bench", m.name(), off);
                registry.undeploy("bench", m.name(), on);
                manager.reconcile().join();
            }
        } finally {
            otimo.close();
        }
        report.put("raw", raw);
        report.put("cells", cells);
        report.put("ratios", ratios);
        System.out.println();
        System.out.println(table(cells, ratios));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(report));
        System.out.println("wrote " + out);
        System.exit(0);
    }

    private static int register(RegistryService registry, Path dir, ModelCase m) throws Exception {
        byte[] bytes = m.proto().toByteArray();
        Path copy = Files.createTempFile(dir, "upload", ".onnx");
        Files.write(copy, bytes);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        return registry.registerVersion("bench", m.name(), copy, sha, bytes.length, null, null).getNumber();
    }

    static byte[] jsonRequest(float[] row) {
        StringBuilder s = new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,").append(row.length)
                .append("],\"datatype\":\"FP32\",\"data\":[");
        for (int i = 0; i < row.length; i++) {
            s.append(i == 0 ? "" : ",").append(row[i]);
        }
        return s.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] binaryHeader(int width) {
        return ("{\"inputs\":[{\"name\":\"input\",\"shape\":[1," + width + "],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":"
                + width * 4 + "}}],\"parameters\":{\"binary_data_output\":true}}").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] binaryRequest(float[] row) {
        byte[] header = binaryHeader(row.length);
        ByteBuffer b = ByteBuffer.allocate(header.length + row.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header);
        for (float v : row) {
            b.putFloat(v);
        }
        return b.array();
    }

    /**
     * The figures the targets name. The ideal is the compute of one batch of 64 (the largest batch 64
     * single-row clients can form) plus the bare HTTP cost of 64 requests:
     * 1 / (1 / raw at batch 64 + 1 / echo at 64 clients), per encoding (the JSON echo sends the JSON body).
     */
    private static Map<String, Object> ratios(String model, Map<Integer, Double> raw, List<Cell> cells) {
        Map<String, Object> r = new LinkedHashMap<>();
        double raw64 = raw.get(64);
        double batch1Millis = 1000.0 / raw.get(1);
        r.put("rawBatch64RowsPerSecond", raw64);
        r.put("rawBatch1Millis", batch1Millis);
        for (String encoding : List.of("json", "binary")) {
            Cell echo64 = find(cells, model, encoding, "echo", 64);
            Cell on64 = find(cells, model, encoding, "on", 64);
            Cell off64 = find(cells, model, encoding, "off", 64);
            Cell on1 = find(cells, model, encoding, "on", 1);
            Cell echo1 = find(cells, model, encoding, "echo", 1);
            double ideal = 1 / (1 / raw64 + 1 / echo64.result().perSecond());
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("idealRowsPerSecond", ideal);
            e.put("onOverIdeal", on64.result().perSecond() / ideal);
            e.put("onOverOff", on64.result().perSecond() / off64.result().perSecond());
            e.put("p50At1ClientMillis", on1.result().p50Millis());
            e.put("p50BudgetMillis", batch1Millis + echo1.result().p50Millis() + 0.1);
            e.put("p99At1ClientMillis", on1.result().p99Millis());
            e.put("p99OverP50At1Client", on1.result().p99Millis() / on1.result().p50Millis());
            e.put("p99OverP50At64Clients", on64.result().p99Millis() / on64.result().p50Millis());
            r.put(encoding, e);
        }
        return r;
    }

    /** The CPU's vector and matrix extensions, which int8 and fp32 speeds depend on. */
    static String cpuFlags() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> java.util.Arrays.stream(l.substring(l.indexOf(':') + 1).trim().split(" "))
                            .filter(f -> f.startsWith("avx") || f.startsWith("amx")).sorted().distinct()
                            .collect(java.util.stream.Collectors.joining(" ")))
                    .orElse("unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static Cell find(List<Cell> cells, String model, String encoding, String batching, int clients) {
        return cells.stream().filter(c -> c.model().equals(model) && c.encoding().equals(encoding)
                && c.batching().equals(batching) && c.clients() == clients).findFirst().orElseThrow();
    }

    private static void print(Cell c) {
        System.out.printf(Locale.ROOT, "   %-15s %-6s %-5s %3d clients: %9.0f rows/s  p50 %7.3f ms  p99 %7.3f ms%s%n",
                c.model(), c.encoding(), c.batching(), c.clients(), c.result().perSecond(), c.result().p50Millis(),
                c.result().p99Millis(), c.result().errors() > 0 ? "  (" + c.result().errors() + " errors)" : "");
    }

    @SuppressWarnings("unchecked")
    static String table(List<Cell> cells, Map<String, Object> ratios) {
        StringBuilder s = new StringBuilder();
        s.append("| model | encoding | clients | echo rows/s | off rows/s | off p50 / p99 ms | on rows/s | on p50 / p99 ms |\n");
        s.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Cell c : cells) {
            if (!c.batching().equals("echo")) {
                continue;
            }
            Cell off = find(cells, c.model(), c.encoding(), "off", c.clients());
            Cell on = find(cells, c.model(), c.encoding(), "on", c.clients());
            s.append(String.format(Locale.ROOT, "| %s | %s | %d | %.0f | %.0f | %.2f / %.2f | %.0f | %.2f / %.2f |%n",
                    c.model(), c.encoding(), c.clients(), c.result().perSecond(), off.result().perSecond(),
                    off.result().p50Millis(), off.result().p99Millis(), on.result().perSecond(),
                    on.result().p50Millis(), on.result().p99Millis()));
        }
        s.append("\n| model | encoding | raw rows/s at batch 64 | ideal rows/s | on ÷ ideal | on ÷ off (64) | p50 @1 client ms (budget) | p99 ÷ p50 @1 | p99 ÷ p50 @64 |\n");
        s.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        ratios.forEach((model, value) -> {
            Map<String, Object> r = (Map<String, Object>) value;
            for (String encoding : List.of("json", "binary")) {
                Map<String, Object> e = (Map<String, Object>) r.get(encoding);
                s.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.2f | %.2f | %.2f (%.2f) | %.2f | %.2f |%n",
                        model, encoding, (double) r.get("rawBatch64RowsPerSecond"),
                        (double) e.get("idealRowsPerSecond"), (double) e.get("onOverIdeal"), (double) e.get("onOverOff"),
                        (double) e.get("p50At1ClientMillis"), (double) e.get("p50BudgetMillis"),
                        (double) e.get("p99OverP50At1Client"), (double) e.get("p99OverP50At64Clients")));
            }
        });
        return s.toString();
    }
}
