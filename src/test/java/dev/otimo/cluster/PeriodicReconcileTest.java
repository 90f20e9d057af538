package dev.otimo.cluster;

import dev.otimo.serving.DeploymentManager;
import dev.otimo.serving.ServedModel;
import dev.otimo.support.ServerTest;
import dev.otimo.support.TestModels;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The safety net: a change that reaches the database without any notification (written by hand
 * here) is served once the periodic reconcile has run, and not before.
 */
class PeriodicReconcileTest extends ServerTest {

    @Autowired
    DeploymentManager deployments;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void deploymentWrittenBehindTheServersBackIsServedAfterTheNextReconcile() throws InterruptedException {
        String model = unique("behind");
        int v = upload(model, TestModels.sumAndScale());
        jdbc.update("""
                insert into deployment (version_id, device, instances, intra_op_threads, max_batch_size, max_queue_delay_micros,
                                        preferred_batch_sizes, queue_capacity, default_timeout_micros, priority_levels, updated_at)
                select v.id, 'cpu', 1, 1, 8, 0, '', 64, 0, 1, ?
                from model_version v join model m on m.id = v.model_id where m.name = ? and v.number = ?""",
                OffsetDateTime.now(ZoneOffset.UTC), model, v);
        Thread.sleep(500);
        assertThat(served(model, v)).as("nothing announced the change").isFalse();

        PeriodicReconcile periodic = new PeriodicReconcile(() -> deployments.reconcile().join(), Duration.ofMillis(200));
        periodic.start();
        try {
            long start = System.nanoTime();
            while (!served(model, v) && System.nanoTime() - start < Duration.ofSeconds(5).toNanos()) {
                Thread.sleep(20);
            }
        } finally {
            periodic.stop();
        }
        assertThat(served(model, v)).isTrue();
        http.get().uri("/v2/models/{m}/versions/{v}/ready", model, v).exchange().expectStatus().isOk();
        admin.delete().uri("/api/v1/models/{m}/versions/{v}/deployment", model, v).exchange().expectStatus().isNoContent();
    }

    private boolean served(String model, int version) {
        return deployments.model(model).flatMap(m -> m.version(version)).map(ServedModel.VersionEntry::deployment)
                .filter(d -> d.isReady()).isPresent();
    }
}
