import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ModelView, VersionView } from '../api/types';
import { renderWithTheme } from '../test/render';
import { ModelDetailPage } from './ModelDetailPage';

const base: Omit<VersionView, 'version' | 'parentVersion' | 'recipe' | 'deployment'> = {
  model: 'iris',
  status: 'READY',
  statusReason: null,
  sha256: 'ab',
  sizeBytes: 668,
  opset: 17,
  producer: 'otimo',
  inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
  outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }],
  report: null,
  createdAt: '2026-01-01T00:00:00Z',
};

const model: ModelView = {
  name: 'iris',
  description: 'flowers',
  createdAt: '2026-01-01T00:00:00Z',
  versions: [
    {
      ...base,
      version: 1,
      parentVersion: null,
      recipe: null,
      deployment: {
        model: 'iris',
        version: 1,
        device: 'cuda',
        instances: 1,
        intraOpThreads: 0,
        batching: { maxBatchSize: 64, maxQueueDelayMicros: 200, preferredBatchSizes: [], queueCapacity: 1024, defaultTimeoutMicros: 0, priorityLevels: 1 },
        state: 'READY',
        provider: 'cpu (fallback: no CUDA device)',
        error: null,
      },
    },
    { ...base, version: 2, sizeBytes: 300, parentVersion: 1, recipe: { method: 'int8-dynamic', options: { perChannel: true } }, deployment: null },
  ],
};

function serve(onRequest: (url: string, init?: RequestInit) => Response | undefined) {
  const calls: { url: string; init?: RequestInit }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      calls.push({ url, init });
      return onRequest(url, init) ?? new Response(JSON.stringify(model), { status: 200 });
    }),
  );
  return calls;
}

afterEach(() => vi.unstubAllGlobals());

describe('ModelDetailPage', () => {
  it('lists versions with size, lineage, recipe and where the deployment runs', async () => {
    serve(() => undefined);
    renderWithTheme(<ModelDetailPage model="iris" />);
    const v2 = await screen.findByTestId('version-row-2');
    expect(within(v2).getByText('v1 → v2')).toBeInTheDocument();
    expect(within(v2).getByText('int8-dynamic(perChannel=true)')).toBeInTheDocument();
    expect(within(v2).getByText('300 B')).toBeInTheDocument();
    const v1 = screen.getByTestId('version-row-1');
    expect(within(v1).getByText('uploaded')).toBeInTheDocument();
    expect(within(v1).getByText('cpu (fallback: no CUDA device)')).toBeInTheDocument();
    expect(within(v1).getByRole('button', { name: 'Reconfigure v1' })).toBeInTheDocument();
  });

  it('deploys with the settings from the form', async () => {
    const calls = serve((_url, init) =>
      init?.method === 'PUT' ? new Response(JSON.stringify({ ...model.versions[0].deployment, version: 2 }), { status: 200 }) : undefined,
    );
    renderWithTheme(<ModelDetailPage model="iris" />);
    await userEvent.click(await screen.findByRole('button', { name: 'Deploy v2' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByText('cuda:N'));
    const gpu = within(dialog).getByRole('textbox', { name: 'GPU index' });
    await userEvent.clear(gpu);
    await userEvent.type(gpu, '1');
    await userEvent.type(within(dialog).getByRole('textbox', { name: 'Preferred batch sizes' }), '8, 16');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Deploy' }));
    const put = calls.find((c) => c.init?.method === 'PUT');
    expect(put?.url).toBe('/api/v1/models/iris/versions/2/deployment');
    expect(JSON.parse(String(put?.init?.body))).toEqual({
      device: 'cuda:1',
      instances: 1,
      intraOpThreads: 0,
      batching: { maxBatchSize: 64, maxQueueDelayMicros: 200, preferredBatchSizes: [8, 16], queueCapacity: 1024, defaultTimeoutMicros: 0, priorityLevels: 1 },
    });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it("keeps the confirmation open with the server's reason when a delete is refused", async () => {
    serve((_url, init) =>
      init?.method === 'DELETE' ? new Response('{"error":"model \'iris\' version 1 is deployed; undeploy it first"}', { status: 409 }) : undefined,
    );
    renderWithTheme(<ModelDetailPage model="iris" />);
    await userEvent.click(await screen.findByRole('button', { name: 'Delete v1' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete version' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent("model 'iris' version 1 is deployed; undeploy it first");
  });
});
