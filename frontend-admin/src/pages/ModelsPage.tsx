import { useMemo, useState, type FormEvent } from 'react';
import { Anchor, Badge, Button, Group, Modal, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { adminApi } from '../api/endpoints';
import { describeError } from '../api/errors';
import type { ModelSummary } from '../api/types';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatDate } from '../lib/format';
import { useAsync } from '../lib/hooks';
import { href, navigate } from '../lib/router';

function modelStatus(model: ModelSummary): { label: string; color: string } {
  if ((model.deployedVersions ?? []).length > 0) return { label: 'serving', color: 'teal' };
  if (model.versionCount > 0) return { label: 'not deployed', color: 'gray' };
  return { label: 'no versions', color: 'yellow' };
}

export function filterModels(models: ModelSummary[], search: string): ModelSummary[] {
  const needle = search.trim().toLowerCase();
  if (!needle) return models;
  return models.filter((m) => m.name.toLowerCase().includes(needle) || (m.description ?? '').toLowerCase().includes(needle));
}

export function ModelsPage() {
  const { data, error, loading } = useAsync(() => adminApi.listModels(), []);
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const models = useMemo(() => filterModels(data ?? [], search), [data, search]);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Models</Title>
        <Button onClick={() => setCreating(true)}>New model</Button>
      </Group>
      <TextInput placeholder="Filter by name or description" aria-label="Filter models" value={search} onChange={(e) => setSearch(e.currentTarget.value)} />
      <ErrorAlert error={error} />
      <Table striped highlightOnHover verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Description</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Versions</Table.Th>
            <Table.Th>Deployed</Table.Th>
            <Table.Th>Created</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {models.map((m) => {
            const status = modelStatus(m);
            return (
              <Table.Tr key={m.name} data-testid={`model-row-${m.name}`}>
                <Table.Td>
                  <Anchor href={href('models', m.name)} fw={600}>
                    {m.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{m.description}</Table.Td>
                <Table.Td>
                  <Badge color={status.color} variant="light">
                    {status.label}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {m.versionCount}
                  {m.latestVersion != null && <Text span c="dimmed" size="xs">{` (latest v${m.latestVersion})`}</Text>}
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {(m.deployedVersions ?? []).map((v) => (
                      <Badge key={v} variant="outline">{`v${v}`}</Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>{formatDate(m.createdAt)}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {!loading && !error && models.length === 0 && (
        <Text c="dimmed">{search ? 'No model matches the filter.' : 'No models yet. Create one, then upload an ONNX file to it.'}</Text>
      )}
      <CreateModelDialog opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}

function CreateModelDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await adminApi.createModel(name.trim(), description.trim());
      setBusy(false);
      onClose();
      navigate(href('models', created?.name ?? name.trim()));
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title="New model" centered>
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label="Name"
            description="Used in URLs: letters, digits, '-', '_' and '.'"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
            data-autofocus
          />
          <Textarea label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={2} />
          <ErrorAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              Create
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
