import { useState } from 'react';
import { Anchor, Badge, Button, Card, Group, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { adminApi } from '../api/endpoints';
import { describeError } from '../api/errors';
import type { DeploymentView, ModelView, VersionView } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { DeployDialog } from '../components/DeployDialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { StatusBadge } from '../components/StatusBadge';
import { UploadDropzone } from '../components/UploadDropzone';
import { formatBytes, formatDate, formatRecipe } from '../lib/format';
import { useAsync, usePolling } from '../lib/hooks';
import { href, navigate, withQuery } from '../lib/router';

/** True while something on the page is still settling on the server (validation, session loading). */
export function isSettling(model: ModelView | undefined): boolean {
  return (model?.versions ?? []).some(
    (v) => v.status === 'UPLOADING' || v.status === 'VALIDATING' || v.deployment?.state === 'LOADING',
  );
}

type Pending =
  | { kind: 'deploy'; version: VersionView }
  | { kind: 'undeploy'; version: VersionView }
  | { kind: 'deleteVersion'; version: VersionView }
  | { kind: 'deleteModel' }
  | null;

export function ModelDetailPage({ model }: { model: string }) {
  const { data, error, setData, reload } = useAsync(() => adminApi.getModel(model), [model]);
  const [pending, setPending] = useState<Pending>(null);

  const pollError = usePolling(
    async () => {
      setData(await adminApi.getModel(model));
    },
    2000,
    isSettling(data),
    [model],
  );

  const versions = [...(data?.versions ?? [])].sort((a, b) => b.version - a.version);

  const download = async (v: VersionView) => {
    try {
      await adminApi.downloadArtifact(model, v.version);
    } catch (e) {
      notifications.show({ color: 'red', title: 'Download failed', message: describeError(e) });
    }
  };

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2}>{model}</Title>
          {data?.description && <Text c="dimmed">{data.description}</Text>}
          {data && (
            <Text size="xs" c="dimmed">
              created {formatDate(data.createdAt)}
            </Text>
          )}
        </div>
        <Group gap="xs">
          <Button variant="light" component="a" href={href('models', model, 'playground')}>
            Playground
          </Button>
          <Button variant="light" component="a" href={href('models', model, 'routing')}>
            Routing
          </Button>
          <Button variant="light" component="a" href={href('models', model, 'compress')}>
            Compress
          </Button>
          <Button color="red" variant="outline" onClick={() => setPending({ kind: 'deleteModel' })}>
            Delete model
          </Button>
        </Group>
      </Group>

      <ErrorAlert error={error ?? pollError} />

      <UploadDropzone
        accept=".onnx"
        label="Drop an .onnx file here to add a version"
        start={(file, onProgress) => adminApi.uploadVersion(model, file, onProgress)}
        onUploaded={(version, file) => {
          notifications.show({ color: 'teal', title: 'Uploaded', message: `${file.name} is version ${version?.version ?? ''}` });
          reload();
        }}
      />

      <Card withBorder padding={0}>
        <Table verticalSpacing="sm" horizontalSpacing="md" data-testid="versions-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Version</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Size</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Lineage</Table.Th>
              <Table.Th>Deployment</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {versions.map((v) => (
              <Table.Tr key={v.version} data-testid={`version-row-${v.version}`}>
                <Table.Td>
                  <Text fw={600}>v{v.version}</Text>
                  {v.opset != null && (
                    <Text size="xs" c="dimmed">
                      opset {v.opset}
                      {v.producer ? ` · ${v.producer}` : ''}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td style={{ minWidth: 110 }}>
                  <StatusBadge status={v.status} reason={v.statusReason} testId="version-status" />
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatBytes(v.sizeBytes)}</Table.Td>
                <Table.Td>{formatDate(v.createdAt)}</Table.Td>
                <Table.Td>
                  <Lineage version={v} />
                </Table.Td>
                <Table.Td>
                  <DeploymentCell deployment={v.deployment} />
                </Table.Td>
                <Table.Td>
                  <VersionActions
                    version={v}
                    onDeploy={() => setPending({ kind: 'deploy', version: v })}
                    onUndeploy={() => setPending({ kind: 'undeploy', version: v })}
                    onDelete={() => setPending({ kind: 'deleteVersion', version: v })}
                    onDownload={() => download(v)}
                    model={model}
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {data && versions.length === 0 && (
          <Text c="dimmed" p="md">
            No versions yet: drop an ONNX file above.
          </Text>
        )}
      </Card>

      {pending?.kind === 'deploy' && (
        <DeployDialog
          opened
          model={model}
          version={pending.version.version}
          existing={pending.version.deployment}
          onClose={() => setPending(null)}
          onSubmit={async (request) => {
            await adminApi.deploy(model, pending.version.version, request);
            reload();
          }}
        />
      )}
      <ConfirmDialog
        opened={pending?.kind === 'undeploy'}
        title="Undeploy"
        message={pending?.kind === 'undeploy' ? `Stop serving ${model} v${pending.version.version}? Requests routed to it will fail.` : ''}
        confirmLabel="Undeploy"
        onClose={() => setPending(null)}
        onConfirm={async () => {
          if (pending?.kind !== 'undeploy') return;
          await adminApi.undeploy(model, pending.version.version);
          reload();
        }}
      />
      <ConfirmDialog
        opened={pending?.kind === 'deleteVersion'}
        title="Delete version"
        message={
          pending?.kind === 'deleteVersion'
            ? `Delete ${model} v${pending.version.version} and its artifact? This cannot be undone.`
            : ''
        }
        confirmLabel="Delete"
        onClose={() => setPending(null)}
        onConfirm={async () => {
          if (pending?.kind !== 'deleteVersion') return;
          await adminApi.deleteVersion(model, pending.version.version);
          reload();
        }}
      />
      <ConfirmDialog
        opened={pending?.kind === 'deleteModel'}
        title="Delete model"
        message={`Delete ${model} with all its versions? This cannot be undone.`}
        confirmLabel="Delete model"
        onClose={() => setPending(null)}
        onConfirm={async () => {
          await adminApi.deleteModel(model);
          navigate(href('models'));
        }}
      />
    </Stack>
  );
}

function Lineage({ version }: { version: VersionView }) {
  if (version.parentVersion == null) {
    return (
      <Text size="sm" c="dimmed">
        uploaded
      </Text>
    );
  }
  const recipe = formatRecipe(version.recipe);
  return (
    <div>
      <Text size="sm">
        v{version.parentVersion} → v{version.version}
      </Text>
      {recipe && (
        <Text size="xs" c="dimmed">
          {recipe}
        </Text>
      )}
    </div>
  );
}

function DeploymentCell({ deployment }: { deployment: DeploymentView | null }) {
  if (!deployment) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  return (
    <Stack gap={2}>
      <Group gap={4}>
        <StatusBadge status={deployment.state} reason={deployment.error} testId="deployment-state" />
        <Badge variant="outline" color="gray">
          {deployment.device} ×{deployment.instances}
        </Badge>
      </Group>
      {deployment.provider && (
        <Text size="xs" c="dimmed">
          {deployment.provider}
        </Text>
      )}
      {deployment.state === 'FAILED' && deployment.error && (
        <Text size="xs" c="red">
          {deployment.error}
        </Text>
      )}
    </Stack>
  );
}

interface ActionProps {
  model: string;
  version: VersionView;
  onDeploy: () => void;
  onUndeploy: () => void;
  onDelete: () => void;
  onDownload: () => void;
}

function VersionActions({ model, version, onDeploy, onUndeploy, onDelete, onDownload }: ActionProps) {
  const ready = version.status === 'READY';
  const deployed = version.deployment != null;
  const n = version.version;
  return (
    <Group gap={4} wrap="wrap">
      <Tooltip label="Only READY versions can be served" disabled={ready}>
        <Button size="compact-xs" onClick={onDeploy} disabled={!ready} aria-label={`${deployed ? 'Reconfigure' : 'Deploy'} v${n}`}>
          {deployed ? 'Reconfigure' : 'Deploy'}
        </Button>
      </Tooltip>
      {deployed && (
        <Button size="compact-xs" variant="outline" onClick={onUndeploy} aria-label={`Undeploy v${n}`}>
          Undeploy
        </Button>
      )}
      {ready && (
        <>
          <Button size="compact-xs" variant="light" component="a" href={withQuery(href('models', model, 'compress'), { version: n })} aria-label={`Compress v${n}`}>
            Compress
          </Button>
          <Button size="compact-xs" variant="light" component="a" href={withQuery(href('models', model, 'playground'), { version: n })} aria-label={`Try v${n}`}>
            Try
          </Button>
        </>
      )}
      <Anchor
        size="xs"
        component="button"
        type="button"
        onClick={onDownload}
        aria-label={`Download v${n}`}
        disabled={!ready}
      >
        Download
      </Anchor>
      <Button size="compact-xs" color="red" variant="subtle" onClick={onDelete} aria-label={`Delete v${n}`}>
        Delete
      </Button>
    </Group>
  );
}
