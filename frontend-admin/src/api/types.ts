/** Shapes of the admin API (/api/v1) and the Open Inference Protocol (/v2) as the console uses them. */

export type VersionStatus = 'UPLOADING' | 'VALIDATING' | 'READY' | 'FAILED';
export type DeploymentState = 'LOADING' | 'READY' | 'FAILED';
export type JobStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface TensorSpec {
  name: string;
  datatype: string;
  /** -1 marks a dynamic dimension. */
  shape: number[];
}

export interface ModelSummary {
  name: string;
  description: string | null;
  createdAt: string;
  versionCount: number;
  latestVersion: number | null;
  deployedVersions: number[];
}

export interface BatchingPolicy {
  maxBatchSize: number;
  maxQueueDelayMicros: number;
  preferredBatchSizes: number[];
  queueCapacity: number;
  defaultTimeoutMicros: number;
  priorityLevels: number;
}

export interface DeploymentRequest {
  device: string;
  instances: number;
  intraOpThreads: number;
  batching: BatchingPolicy;
}

export interface DeploymentView extends DeploymentRequest {
  model: string;
  version: number;
  state: DeploymentState;
  provider: string | null;
  error: string | null;
  queueDepth?: number | null;
}

export interface VersionView {
  model: string;
  version: number;
  status: VersionStatus;
  statusReason: string | null;
  sha256: string | null;
  sizeBytes: number | null;
  opset: number | null;
  producer: string | null;
  /** null until the file has been read (or when it could not be) */
  inputs: TensorSpec[] | null;
  outputs: TensorSpec[] | null;
  /** whether dimension 0 is a dynamic batch dimension */
  batchable?: boolean | null;
  parentVersion: number | null;
  recipe: unknown;
  report: CompressionReport | null;
  createdAt: string;
  deployment: DeploymentView | null;
}

export interface ModelView {
  name: string;
  description: string | null;
  createdAt: string;
  versions: VersionView[];
}

export interface DeploymentStats {
  model: string;
  version: number;
  requests: number;
  errors: number;
  requestsPerSecond: number;
  p50Millis: number;
  p99Millis: number;
  queueDepth: number;
  batchSizes: Record<string, number>;
}

export interface Variant {
  version: number;
  weight: number;
}

export interface Shadow {
  version: number;
  percent: number;
}

export interface Guard {
  maxErrorRate: number;
  maxP99Millis: number;
  windowSeconds: number;
}

export interface RoutingPolicy {
  variants: Variant[];
  stickyHeader: string | null;
  shadow: Shadow | null;
  guard: Guard | null;
}

export interface VariantStats {
  version: number;
  requestsPerSecond: number;
  /** null when the variant served nothing in the last minute */
  p99Millis: number | null;
}

export interface RoutingEvent {
  at: string;
  kind: string;
  version: number | null;
  detail: string | null;
}

export interface RoutingView extends RoutingPolicy {
  model?: string;
  /** the heaviest variant, where failing variants fall back to */
  primaryVersion?: number;
  updatedAt?: string;
  updatedBy?: string;
  variantStats?: VariantStats[];
  /** newest first */
  events?: RoutingEvent[];
}

export interface AuditEntry {
  id?: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  model?: string | null;
  version?: number | null;
  detail: string | null;
}

export interface CompressionStep {
  method: string;
  options: Record<string, unknown>;
}

export interface Calibration {
  source: 'traffic' | 'upload';
  samples: number;
  uploadId?: string;
}

export interface CompressionRequest {
  method?: string;
  recipe?: CompressionStep[];
  options?: Record<string, unknown>;
  calibration: Calibration;
  /** register the result even when it is neither faster nor smaller than its parent */
  keepIfNoGain?: boolean;
}

export interface PerformanceFigures {
  rowsPerSecond?: number;
  p50Millis?: number;
}

export interface ReportSide {
  sizeBytes?: number;
  loadMillis?: number;
  batch1?: PerformanceFigures;
  batch32?: PerformanceFigures;
}

export interface Fidelity {
  maxAbsError?: number;
  meanCosine?: number;
  top1Agreement?: number;
  samples?: number;
  source?: string;
}

export interface CompressionReport {
  parent?: ReportSide;
  child?: ReportSide;
  fidelity?: Fidelity;
  /** remarks of the transforms and the evaluation, in plain words */
  notes?: string[];
  /** method-specific figures, e.g. how many nodes were quantized */
  extras?: Record<string, unknown>;
  /** the child is neither faster nor smaller than its parent */
  noGain?: boolean;
  /** the child against its parent: throughput and size ratios */
  gain?: { throughputRatio?: number; sizeRatio?: number; faster?: boolean; smaller?: boolean };
}

export interface CompressionJob {
  id: string;
  model: string;
  /** the parent version */
  version: number;
  /** the steps applied (method and options each) */
  recipe?: unknown;
  method?: string;
  status: JobStatus;
  /** percent, 0..100 */
  progress: number | null;
  step: string | null;
  resultVersion: number | null;
  report: CompressionReport | null;
  error: string | null;
  createdAt?: string;
  updatedAt?: string;
}

export interface CalibrationSet {
  uploadId: string;
  model: string;
  samples: number;
  createdAt: string;
}

export interface ServerMetadata {
  name: string;
  version: string;
  extensions: string[];
}

export interface V2ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

export type TensorData = (number | boolean | string)[];

export interface InferTensor {
  name: string;
  shape: number[];
  datatype: string;
  data: TensorData;
}

export interface InferRequest {
  id?: string;
  inputs: InferTensor[];
  outputs?: { name: string }[];
}

export interface InferResponse {
  model_name: string;
  model_version: string | null;
  id?: string;
  outputs: InferTensor[];
}

export type ExperimentStatus = 'RUNNING' | 'CONCLUDED' | 'PROMOTED' | 'STOPPED';
export type ExperimentMetric = 'errorRate' | 'latency' | 'accuracy';

export interface ExperimentRequest {
  /** the first is the control; weights are relative */
  variants: Variant[];
  metric: ExperimentMetric;
  alpha: number;
  minSamplePerVariant?: number | null;
  autoPromote?: boolean;
}

export interface Bounds {
  low: number | null;
  high: number | null;
}

export interface ExperimentVariantFigures {
  version: number;
  weight: number;
  requests: number;
  errors: number;
  errorRate: number | null;
  p50Millis: number | null;
  p95Millis: number | null;
  p99Millis: number | null;
  accuracy: number | null;
  meanError: number | null;
  outcomes: number;
  /** keyed by errorRate, p50Millis, p95Millis, p99Millis, accuracy, meanError */
  intervals: Record<string, Bounds>;
}

export interface ExperimentAgreement {
  version: number;
  control: number;
  compared: number;
  rate: number | null;
  low: number | null;
  high: number | null;
}

export interface ExperimentComparison {
  metric: ExperimentMetric;
  control: number;
  variant: number;
  difference: number | null;
  low: number | null;
  high: number | null;
  pValue: number | null;
}

export interface ExperimentVerdict {
  winner: number | null;
  pValue: number | null;
  nominalAlpha: number | null;
  requestsNeeded: number;
  informationFraction: number;
  looks: number;
  concluded: boolean;
  text: string;
}

export interface ExperimentSummary {
  id: number;
  model: string;
  status: ExperimentStatus;
  metric: ExperimentMetric;
  alpha: number;
  autoPromote: boolean;
  controlVersion: number;
  plannedPerVariant: number;
  variants: Variant[];
  winner: number | null;
  createdAt: string;
  createdBy: string;
  endedAt: string | null;
  endedBy: string | null;
}

export interface ExperimentView extends Omit<ExperimentSummary, 'variants'> {
  variants: ExperimentVariantFigures[];
  agreement: ExperimentAgreement[];
  comparisons: ExperimentComparison[];
  verdict: ExperimentVerdict | null;
  unknownOutcomeIds: number;
  expiredOutcomeIds: number;
}
