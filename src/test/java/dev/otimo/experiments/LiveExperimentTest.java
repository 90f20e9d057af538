package dev.otimo.experiments;

import dev.otimo.registry.RoutingVariant;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** An open experiment's report: figures per arm, comparisons with the control, and one verdict over all arms. */
class LiveExperimentTest {

    private static void traffic(LiveExperiment e, int version, int requests, int errors) {
        for (int i = 0; i < requests; i++) {
            e.recordRequest(version, i < errors, 2_000_000);
        }
    }

    @Test
    void aClearlyWorseVariantLosesAtThePlannedSample() {
        LiveExperiment e = new LiveExperiment(1, "m", Metric.ERROR_RATE, 0.05,
                List.of(new RoutingVariant(1, 50), new RoutingVariant(2, 50)), 1_000, false);
        traffic(e, 1, 1_000, 20);
        traffic(e, 2, 1_000, 80);
        ExperimentReport report = e.report();
        assertThat(report.verdict().winner()).isEqualTo(1);
        assertThat(report.verdict().text()).isEqualTo("B worse");
        assertThat(report.verdict().concluded()).isTrue();
        assertThat(report.variants().get(1).errorRate()).isEqualTo(0.08);
        assertThat(report.variants().get(1).p50Millis()).isEqualTo(2.0, org.assertj.core.api.Assertions.within(0.01));
        ExperimentReport.ComparisonFigures errorRate = report.comparisons().get(0);
        assertThat(errorRate.metric()).isEqualTo("errorRate");
        assertThat(errorRate.difference()).isEqualTo(0.06, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(errorRate.low()).isPositive();
    }

    @Test
    void withSeveralVariantsTheBetterOneWinsAndRequestsNeededCountEveryArm() {
        LiveExperiment e = new LiveExperiment(2, "m", Metric.ERROR_RATE, 0.05, List.of(new RoutingVariant(1, 34),
                new RoutingVariant(2, 33), new RoutingVariant(3, 33)), 1_000, false);
        traffic(e, 1, 400, 40);
        traffic(e, 2, 400, 40);
        traffic(e, 3, 400, 40);
        ExperimentReport early = e.report();
        assertThat(early.verdict().winner()).isNull();
        assertThat(early.verdict().requestsNeeded()).isEqualTo(3 * 600);
        assertThat(early.verdict().text()).isEqualTo("no difference detected yet (need ~1800 more requests)");
        traffic(e, 1, 600, 60);
        traffic(e, 2, 600, 60);
        traffic(e, 3, 600, 0);
        ExperimentReport done = e.report();
        assertThat(done.verdict().winner()).isEqualTo(3);
        assertThat(done.verdict().text()).isEqualTo("version 3 better");
        assertThat(done.comparisons()).hasSize(4);
    }
}
