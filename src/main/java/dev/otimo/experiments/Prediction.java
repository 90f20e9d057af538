package dev.otimo.experiments;

import dev.otimo.runtime.DataType;
import dev.otimo.runtime.Tensor;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a variant answered, reduced to what an outcome reported later is compared with: a class (the
 * top-1 index of the first output, or its single integer, boolean or string element) or a number (the
 * single element of a floating-point first output).
 *
 * <p>Why only the first output's first row: an outcome carries one label per request id, so only a request
 * of one row can be judged by it. A request of several rows (first output with a batch dimension above 1)
 * gets no prediction, and its outcome is counted as unknown.
 *
 * @param label the predicted class as text ("2" for index 2), or null for a numeric prediction
 * @param value the predicted number (NaN for a class)
 */
public record Prediction(String label, double value) {

    /** The prediction in a request's outputs, or null when the first output is not one row. */
    public static Prediction of(List<Tensor> outputs) {
        if (outputs.isEmpty()) {
            return null;
        }
        Tensor first = outputs.get(0);
        long n = first.elementCount();
        if (n == 0 || (first.rank() >= 2 && first.dim(0) != 1) || (first.rank() == 1 && n != 1) || n > Integer.MAX_VALUE) {
            return null;
        }
        DataType type = first.datatype();
        if (type == DataType.BYTES) {
            return n == 1 ? classOf(new String(first.elements()[0], StandardCharsets.UTF_8)) : null;
        }
        if (n == 1) {
            double v = first.valueAt(0);
            return type.isFloatingPoint() ? new Prediction(null, v) : classOf(Long.toString((long) v));
        }
        int best = 0;
        double top = first.valueAt(0);
        for (int i = 1; i < n; i++) {
            double v = first.valueAt(i);
            if (v > top || Double.isNaN(top)) {
                top = v;
                best = i;
            }
        }
        return classOf(Integer.toString(best));
    }

    private static Prediction classOf(String label) {
        return new Prediction(label, Double.NaN);
    }

    public boolean numeric() {
        return label == null;
    }

    /**
     * Whether a reported label matches this class prediction: a whole number or a string equal to the class,
     * a boolean as 1 or 0.
     */
    public boolean matches(Object reported) {
        String text;
        if (reported instanceof Boolean b) {
            text = b ? "1" : "0";
        } else if (reported instanceof Number number) {
            text = whole(number.doubleValue()) ? Long.toString(number.longValue()) : number.toString();
        } else if (reported instanceof String s) {
            text = s.trim();
        } else {
            throw new IllegalArgumentException("label must be a number, string or boolean");
        }
        return label.equals(text);
    }

    /** |prediction − label| for a numeric prediction; NaN when the label is not a number (nor a number in a string). */
    public double absoluteError(Object reported) {
        double truth;
        if (reported instanceof Boolean b) {
            truth = b ? 1 : 0;
        } else if (reported instanceof Number number) {
            truth = number.doubleValue();
        } else if (reported instanceof String s) {
            truth = parse(s);
        } else {
            throw new IllegalArgumentException("label must be a number, string or boolean");
        }
        return Math.abs(value - truth);
    }

    private static boolean whole(double v) {
        return v == Math.rint(v) && Math.abs(v) < 9.0e15;
    }

    private static double parse(String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
