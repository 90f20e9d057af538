package dev.otimo.api.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.otimo.experiments.Experiment;
import dev.otimo.experiments.ExperimentPlan;
import dev.otimo.experiments.ExperimentReport;
import dev.otimo.experiments.Experiments;
import dev.otimo.experiments.Metric;
import dev.otimo.routing.RoutingPolicy;
import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** JSON bodies of the experiment endpoints. */
public final class ExperimentViews {

    private ExperimentViews() {
    }

    @Schema(name = "ExperimentRequest", description = "an A/B experiment: the first variant is the control")
    public record ExperimentRequest(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED,
                    description = "at least two deployed versions with relative weights (summing to more than 0; "
                            + "turned into percent for routing); the first is the control")
            List<RoutingViews.VariantView> variants,
            @Schema(allowableValues = {"errorRate", "latency", "accuracy"}, defaultValue = "errorRate",
                    description = "the primary metric the verdict is about") String metric,
            @Schema(example = "0.05", defaultValue = "0.05", description = "overall false-positive rate, in (0, 0.5]") Double alpha,
            @Schema(example = "2000", nullable = true, description = "requests (outcomes, for accuracy) per variant at which the "
                    + "experiment concludes at the latest; default: enough to detect 5 % → 7 % with 80 % power")
            Long minSamplePerVariant,
            @Schema(defaultValue = "false", description = "promote the winner by itself once the verdict is reached and the "
                    + "canary guard is quiet") Boolean autoPromote) {

        /** The plan this body describes; {@link IllegalArgumentException} (400) for missing or bad fields. */
        ExperimentPlan toPlan() {
            if (variants == null) {
                throw new IllegalArgumentException("send {\"variants\": [{\"version\": 1, \"weight\": 50}, "
                        + "{\"version\": 2, \"weight\": 50}], \"metric\": \"errorRate\", \"alpha\": 0.05}");
            }
            List<RoutingPolicy.Variant> list = variants.stream().map(v -> {
                if (v == null || v.version() == null || v.weight() == null) {
                    throw new IllegalArgumentException("every variant needs a version and a weight, e.g. {\"version\": 2, \"weight\": 50}");
                }
                return new RoutingPolicy.Variant(v.version(), v.weight());
            }).toList();
            Metric m = Metric.fromWireName(metric == null ? Metric.ERROR_RATE.wireName() : metric);
            return new ExperimentPlan(list, m, alpha == null ? 0.05 : alpha, minSamplePerVariant,
                    Boolean.TRUE.equals(autoPromote)).validated();
        }
    }

    @Schema(name = "PromoteRequest")
    public record PromoteRequest(@Schema(example = "2", nullable = true,
            description = "the version to promote; default: the verdict's winner") Integer version) {
    }

    @Schema(name = "ExperimentSummary", description = "an experiment as listed: its arms and how it stands")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ExperimentSummaryView(long id, String model,
                                        @Schema(allowableValues = {"RUNNING", "CONCLUDED", "PROMOTED", "STOPPED"}) String status,
                                        String metric, double alpha, boolean autoPromote, int controlVersion,
                                        long plannedPerVariant, List<RoutingViews.VariantView> variants,
                                        @Schema(nullable = true) Integer winner, Instant createdAt, String createdBy,
                                        @Schema(nullable = true) Instant endedAt, @Schema(nullable = true) String endedBy) {

        static ExperimentSummaryView of(Experiment e) {
            return new ExperimentSummaryView(e.getId(), e.getModel().getName(), e.getStatus().name(), e.getMetric().wireName(),
                    e.getAlpha(), e.isAutoPromote(), e.controlVersion(), e.getPlannedPerVariant(),
                    e.getVariants().stream().map(v -> new RoutingViews.VariantView(v.getVersion(), v.getWeight())).toList(),
                    e.getWinner(), e.getCreatedAt(), e.getCreatedBy(), e.getEndedAt(), e.getEndedBy());
        }
    }

    @Schema(name = "Experiment", description = "an experiment with its statistics: live while it is open, as they were "
            + "when it ended (null when it ended on a replica that had none)")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ExperimentView(long id, String model,
                                 @Schema(allowableValues = {"RUNNING", "CONCLUDED", "PROMOTED", "STOPPED"}) String status,
                                 String metric, double alpha, boolean autoPromote, int controlVersion, long plannedPerVariant,
                                 @Schema(nullable = true) Integer winner, Instant createdAt, String createdBy,
                                 @Schema(nullable = true) Instant endedAt, @Schema(nullable = true) String endedBy,
                                 @Schema(description = "per variant, the control first") List<ExperimentReport.VariantFigures> variants,
                                 @Schema(description = "top-1 agreement of each variant with the control on shadowed traffic")
                                 List<ExperimentReport.Agreement> agreement,
                                 List<ExperimentReport.ComparisonFigures> comparisons,
                                 @Schema(nullable = true) ExperimentReport.VerdictFigures verdict,
                                 long unknownOutcomeIds, long expiredOutcomeIds) {

        static ExperimentView of(Experiments.State state) {
            Experiment e = state.experiment();
            ExperimentReport r = state.report();
            List<ExperimentReport.VariantFigures> variants = r != null ? r.variants() : e.getVariants().stream()
                    .map(v -> new ExperimentReport.VariantFigures(v.getVersion(), v.getWeight(), 0, 0, null, null, null, null,
                            null, null, 0, java.util.Map.of())).toList();
            return new ExperimentView(e.getId(), e.getModel().getName(), e.getStatus().name(), e.getMetric().wireName(),
                    e.getAlpha(), e.isAutoPromote(), e.controlVersion(), e.getPlannedPerVariant(), e.getWinner(),
                    e.getCreatedAt(), e.getCreatedBy(), e.getEndedAt(), e.getEndedBy(), variants,
                    r == null ? List.of() : r.agreement(), r == null ? List.of() : r.comparisons(),
                    r == null ? null : r.verdict(), r == null ? 0 : r.unknownOutcomeIds(), r == null ? 0 : r.expiredOutcomeIds());
        }
    }
}
