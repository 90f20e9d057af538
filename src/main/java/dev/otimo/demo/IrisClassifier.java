package dev.otimo.demo;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.otimo.onnx.GraphBuilder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo model: a softmax-regression classifier of Iris species, trained at start-up by
 * full-batch gradient descent on Fisher's data (every fifth flower held out for the accuracy
 * figure) and exported as ONNX: features FP32 [batch, 4] (cm) → probabilities FP32 [batch, 3] and
 * label INT64 [batch] (0 setosa, 1 versicolor, 2 virginica).
 */
public final class IrisClassifier {

    public static final List<String> SPECIES = List.of("setosa", "versicolor", "virginica");

    private final float[] mean;
    private final float[] std;
    private final float[] weights;
    private final float[] bias;
    private final double heldOutAccuracy;

    private IrisClassifier(float[] mean, float[] std, float[] weights, float[] bias, double heldOutAccuracy) {
        this.mean = mean;
        this.std = std;
        this.weights = weights;
        this.bias = bias;
        this.heldOutAccuracy = heldOutAccuracy;
    }

    /** Accuracy on the 30 flowers not used for training. */
    public double heldOutAccuracy() {
        return heldOutAccuracy;
    }

    public static IrisClassifier train() throws IOException {
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        try (InputStream in = IrisClassifier.class.getResourceAsStream("/demo/iris.csv");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            reader.readLine();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",");
                rows.add(new float[] {Float.parseFloat(f[0]), Float.parseFloat(f[1]), Float.parseFloat(f[2]), Float.parseFloat(f[3])});
                labels.add(SPECIES.indexOf(f[4].trim()));
            }
        }
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            (i % 5 == 4 ? test : train).add(i);
        }
        float[] mean = new float[4];
        float[] std = new float[4];
        for (int i : train) {
            for (int j = 0; j < 4; j++) {
                mean[j] += rows.get(i)[j] / train.size();
            }
        }
        for (int i : train) {
            for (int j = 0; j < 4; j++) {
                float d = rows.get(i)[j] - mean[j];
                std[j] += d * d / train.size();
            }
        }
        for (int j = 0; j < 4; j++) {
            std[j] = (float) Math.sqrt(std[j]);
        }
        float[] w = new float[4 * 3];
        float[] b = new float[3];
        double rate = 0.5;
        double l2 = 1e-3;
        for (int epoch = 0; epoch < 3000; epoch++) {
            float[] gw = new float[12];
            float[] gb = new float[3];
            for (int i : train) {
                float[] x = standardise(rows.get(i), mean, std);
                double[] p = softmax(logits(x, w, b));
                for (int c = 0; c < 3; c++) {
                    double err = p[c] - (labels.get(i) == c ? 1 : 0);
                    gb[c] += (float) err;
                    for (int j = 0; j < 4; j++) {
                        gw[j * 3 + c] += (float) (err * x[j]);
                    }
                }
            }
            for (int k = 0; k < 12; k++) {
                w[k] -= (float) (rate * (gw[k] / train.size() + l2 * w[k]));
            }
            for (int c = 0; c < 3; c++) {
                b[c] -= (float) (rate * gb[c] / train.size());
            }
        }
        int correct = 0;
        for (int i : test) {
            double[] p = softmax(logits(standardise(rows.get(i), mean, std), w, b));
            int best = p[0] >= p[1] && p[0] >= p[2] ? 0 : (p[1] >= p[2] ? 1 : 2);
            correct += best == labels.get(i) ? 1 : 0;
        }
        return new IrisClassifier(mean, std, w, b, correct / (double) test.size());
    }

    /** The trained classifier as an ONNX graph (standardisation folded in as Sub and Div). */
    public ModelProto toOnnx() {
        return GraphBuilder.named("iris_softmax_regression")
                .metadata("labels", String.join(",", SPECIES))
                .metadata("held_out_accuracy", String.format(java.util.Locale.ROOT, "%.3f", heldOutAccuracy))
                .input("features", TensorProto.DataType.FLOAT, -1, 4)
                .output("probabilities", TensorProto.DataType.FLOAT, -1, 3)
                .output("label", TensorProto.DataType.INT64, -1)
                .initializer("mean", mean, 4)
                .initializer("std", std, 4)
                .initializer("weights", weights, 4, 3)
                .initializer("bias", bias, 3)
                .node("Sub", List.of("features", "mean"), List.of("centered"))
                .node("Div", List.of("centered", "std"), List.of("standardised"))
                .node("MatMul", List.of("standardised", "weights"), List.of("scores"))
                .node("Add", List.of("scores", "bias"), List.of("logits"))
                .node("Softmax", List.of("logits"), List.of("probabilities"), GraphBuilder.attr("axis", -1L))
                .node("ArgMax", List.of("logits"), List.of("label"), GraphBuilder.attr("axis", 1L), GraphBuilder.attr("keepdims", 0L))
                .build();
    }

    private static float[] standardise(float[] x, float[] mean, float[] std) {
        float[] out = new float[4];
        for (int j = 0; j < 4; j++) {
            out[j] = (x[j] - mean[j]) / std[j];
        }
        return out;
    }

    private static double[] logits(float[] x, float[] w, float[] b) {
        double[] z = new double[3];
        for (int c = 0; c < 3; c++) {
            z[c] = b[c];
            for (int j = 0; j < 4; j++) {
                z[c] += x[j] * w[j * 3 + c];
            }
        }
        return z;
    }

    private static double[] softmax(double[] z) {
        double max = Math.max(z[0], Math.max(z[1], z[2]));
        double[] p = new double[3];
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            p[c] = Math.exp(z[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < 3; c++) {
            p[c] /= sum;
        }
        return p;
    }
}
