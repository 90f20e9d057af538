import { adminRequest, downloadWithCredentials, uploadFile, v2Request, type UploadHandle } from './client';
import type {
  AuditEntry,
  CalibrationSet,
  CompressionJob,
  CompressionRequest,
  DeploymentRequest,
  DeploymentStats,
  DeploymentView,
  ExperimentRequest,
  ExperimentSummary,
  ExperimentView,
  InferRequest,
  InferResponse,
  ModelSummary,
  ModelView,
  RoutingPolicy,
  RoutingView,
  ServerMetadata,
  V2ModelMetadata,
  VersionView,
} from './types';

const m = (model: string) => `/models/${encodeURIComponent(model)}`;
const mv = (model: string, version: number) => `${m(model)}/versions/${version}`;

export const adminApi = {
  listModels: (authorization?: string) => adminRequest<ModelSummary[]>('/models', { authorization }),
  getModel: (model: string) => adminRequest<ModelView>(m(model)),
  createModel: (name: string, description: string) =>
    adminRequest<ModelView>('/models', { method: 'POST', body: { name, description } }),
  deleteModel: (model: string) => adminRequest<void>(m(model), { method: 'DELETE' }),

  uploadVersion: (model: string, file: File, onProgress: (fraction: number) => void): UploadHandle<VersionView> =>
    uploadFile<VersionView>(`${m(model)}/versions`, file, onProgress),
  getVersion: (model: string, version: number) => adminRequest<VersionView>(mv(model, version)),
  deleteVersion: (model: string, version: number) => adminRequest<void>(mv(model, version), { method: 'DELETE' }),
  downloadArtifact: (model: string, version: number) =>
    downloadWithCredentials(`${mv(model, version)}/artifact`, `${model}-v${version}.onnx`),

  deploy: (model: string, version: number, request: DeploymentRequest) =>
    adminRequest<DeploymentView>(`${mv(model, version)}/deployment`, { method: 'PUT', body: request }),
  getDeployment: (model: string, version: number) => adminRequest<DeploymentView>(`${mv(model, version)}/deployment`),
  undeploy: (model: string, version: number) =>
    adminRequest<void>(`${mv(model, version)}/deployment`, { method: 'DELETE' }),
  deploymentStats: (model: string, version: number) =>
    adminRequest<DeploymentStats>(`${mv(model, version)}/deployment/stats`),

  getRouting: (model: string) => adminRequest<RoutingView>(`${m(model)}/routing`),
  putRouting: (model: string, policy: RoutingPolicy) =>
    adminRequest<RoutingView>(`${m(model)}/routing`, { method: 'PUT', body: policy }),
  deleteRouting: (model: string) => adminRequest<void>(`${m(model)}/routing`, { method: 'DELETE' }),

  /** Newest first. */
  listExperiments: (model: string) => adminRequest<ExperimentSummary[]>(`${m(model)}/experiments`),
  getExperiment: (model: string, id: number) => adminRequest<ExperimentView>(`${m(model)}/experiments/${id}`),
  startExperiment: (model: string, request: ExperimentRequest) =>
    adminRequest<ExperimentView>(`${m(model)}/experiments`, { method: 'POST', body: request }),
  /** `version` null: the verdict's winner. */
  promoteExperiment: (model: string, id: number, version: number | null) =>
    adminRequest<ExperimentView>(`${m(model)}/experiments/${id}/promote`, {
      method: 'POST',
      body: version == null ? {} : { version },
    }),
  stopExperiment: (model: string, id: number) =>
    adminRequest<ExperimentView>(`${m(model)}/experiments/${id}/stop`, { method: 'POST', body: {} }),

  /** Newest first; `model` narrows to the entries about one model. */
  audit: (model?: string, limit = 100) =>
    adminRequest<AuditEntry[]>(`/audit?limit=${limit}${model ? `&model=${encodeURIComponent(model)}` : ''}`),

  compress: (model: string, version: number, request: CompressionRequest) =>
    adminRequest<{ jobId: string }>(`${mv(model, version)}/compressions`, { method: 'POST', body: request }),
  job: (id: string) => adminRequest<CompressionJob>(`/jobs/${encodeURIComponent(id)}`),
  jobs: (model: string) => adminRequest<CompressionJob[]>(`/jobs?model=${encodeURIComponent(model)}`),
  uploadCalibrationSet: (model: string, file: File, onProgress: (fraction: number) => void) =>
    uploadFile<CalibrationSet>(`${m(model)}/calibration-sets`, file, onProgress),
};

/** Path of the v2 model resource, optionally pinned to a version. */
export function v2ModelPath(model: string, version?: number | null): string {
  const base = `/models/${encodeURIComponent(model)}`;
  return version == null ? base : `${base}/versions/${version}`;
}

export const v2Api = {
  server: () => v2Request<ServerMetadata>(''),
  /** True when /v2/health/ready answers 200; false on 503 or when the server is unreachable. */
  ready: async (): Promise<boolean> => {
    try {
      const response = await fetch('/v2/health/ready');
      return response.ok;
    } catch {
      return false;
    }
  },
  model: (model: string, version?: number | null) => v2Request<V2ModelMetadata>(v2ModelPath(model, version)),
  infer: (model: string, version: number | null, request: InferRequest) =>
    v2Request<InferResponse>(`${v2ModelPath(model, version)}/infer`, { method: 'POST', body: request }),
};
