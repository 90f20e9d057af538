package dev.otimo.bench;

import dev.otimo.compression.CalibrationData;
import dev.otimo.compression.ScoringSession;
import dev.otimo.compression.TensorData;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Face crops in the input format of the facial-expression classifier of the npm package
 * {@code faceplugin-face-recognition-js} ([1, 3, 224, 224], RGB, pixel / 255), cut from the six group
 * photographs of the npm package {@code @vladmandic/face-api@1.7.15} ({@code demo/sample1.jpg} to
 * {@code sample6.jpg}, 22 faces, boxes located by hand). Each crop is jittered: box position and size,
 * a small rotation, mirroring, brightness and contrast. Calibration and evaluation use different faces.
 */
record FacePhotos(List<Map<String, TensorData>> rows) {

    static final String INPUT = "input";
    static final int SIZE = 224;

    /** Face boxes per photograph: centre x, centre y and side of a square, in the photograph's pixels. */
    private static final int[][][] FACES = {
        {{515, 450, 260}, {910, 540, 270}, {1560, 330, 280}},
        {{440, 310, 260}, {990, 360, 260}, {1560, 270, 290}},
        {{690, 460, 280}, {1180, 350, 290}, {1590, 420, 300}},
        {{370, 320, 270}, {750, 240, 300}, {1090, 290, 270}, {1370, 260, 280}},
        {{870, 220, 240}, {680, 530, 260}, {1200, 330, 260}, {1500, 510, 300}, {480, 1000, 320}},
        {{360, 620, 280}, {760, 470, 320}, {1280, 460, 290}, {1580, 420, 320}},
    };

    /** The faces of the first two photographs, to calibrate with. */
    static FacePhotos calibration(Path demo, int crops, long seed) {
        return crops(demo, 0, 2, crops, seed);
    }

    /** The faces of the other four photographs, to evaluate on. */
    static FacePhotos heldOut(Path demo, int crops, long seed) {
        return crops(demo, 2, FACES.length, crops, seed);
    }

    private static FacePhotos crops(Path demo, int fromPhoto, int toPhoto, int crops, long seed) {
        List<BufferedImage> photos = new ArrayList<>();
        List<int[]> faces = new ArrayList<>();
        for (int p = fromPhoto; p < toPhoto; p++) {
            BufferedImage photo = read(demo.resolve("sample" + (p + 1) + ".jpg"));
            for (int[] face : FACES[p]) {
                photos.add(photo);
                faces.add(face);
            }
        }
        SplittableRandom r = new SplittableRandom(seed);
        List<Map<String, TensorData>> rows = new ArrayList<>();
        for (int i = 0; i < crops; i++) {
            int f = i % faces.size();
            rows.add(Map.of(INPUT, toTensor(crop(photos.get(f), faces.get(f), r))));
        }
        return new FacePhotos(rows);
    }

    private static BufferedImage read(Path file) {
        try {
            BufferedImage img = ImageIO.read(file.toFile());
            if (img == null) {
                throw new IOException("not an image: " + file);
            }
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BufferedImage crop(BufferedImage photo, int[] face, SplittableRandom r) {
        double side = face[2] * (0.9 + 0.3 * r.nextDouble());
        double cx = face[0] + (r.nextDouble() - 0.5) * 0.16 * face[2];
        double cy = face[1] + (r.nextDouble() - 0.5) * 0.16 * face[2];
        double angle = Math.toRadians((r.nextDouble() - 0.5) * 20);
        boolean mirror = r.nextBoolean();
        double scale = SIZE / side;
        BufferedImage out = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        AffineTransform t = new AffineTransform();
        t.translate(SIZE / 2.0, SIZE / 2.0);
        if (mirror) {
            t.scale(-1, 1);
        }
        t.rotate(angle);
        t.scale(scale, scale);
        t.translate(-cx, -cy);
        g.drawImage(photo, t, null);
        g.dispose();
        float gain = (float) (0.75 + 0.5 * r.nextDouble());
        float offset = (float) ((r.nextDouble() - 0.5) * 0.2);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int rgb = out.getRGB(x, y);
                int[] c = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
                for (int k = 0; k < 3; k++) {
                    c[k] = Math.max(0, Math.min(255, Math.round((c[k] / 255f * gain + offset) * 255)));
                }
                out.setRGB(x, y, (c[0] << 16) | (c[1] << 8) | c[2]);
            }
        }
        return out;
    }

    private static TensorData toTensor(BufferedImage img) {
        float[] v = new float[3 * SIZE * SIZE];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int rgb = img.getRGB(x, y);
                v[(0 * SIZE + y) * SIZE + x] = ((rgb >> 16) & 0xff) / 255f;
                v[(1 * SIZE + y) * SIZE + x] = ((rgb >> 8) & 0xff) / 255f;
                v[(2 * SIZE + y) * SIZE + x] = (rgb & 0xff) / 255f;
            }
        }
        return TensorData.ofFloats(v, 1, 3, SIZE, SIZE);
    }

    CalibrationData data() {
        return new CalibrationData(rows, "upload");
    }

    /** How many crops the model puts in each class (argmax of its output), to show the spread. */
    int[] predictedClasses(ScoringSession session, int classes) {
        int[] counts = new int[classes];
        for (Map<String, TensorData> row : rows) {
            TensorData out = session.run(row).values().iterator().next();
            FloatBuffer b = ((FloatBuffer) out.data()).duplicate();
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (b.get(c) > b.get(best)) {
                    best = c;
                }
            }
            counts[best]++;
        }
        return counts;
    }
}
