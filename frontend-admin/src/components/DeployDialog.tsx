import { useState, type FormEvent } from 'react';
import { Button, Divider, Group, Input, Modal, NumberInput, SegmentedControl, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { describeError } from '../api/errors';
import type { DeploymentRequest, DeploymentView } from '../api/types';
import {
  initialDeploymentValues,
  toDeploymentRequest,
  isIndexed,
  validateDeployment,
  type DeploymentFormValues,
  type DeviceKind,
} from '../lib/deployment';
import { ErrorAlert } from './ErrorAlert';

interface Props {
  opened: boolean;
  model: string;
  version: number;
  existing: DeploymentView | null;
  onClose: () => void;
  onSubmit: (request: DeploymentRequest) => Promise<void>;
}

const asNumber = (v: number | string): number => (typeof v === 'number' ? v : v.trim() === '' ? Number.NaN : Number(v));

/** Device, instances, threads and the batching policy of one deployment. Mount it fresh for each use. */
export function DeployDialog({ opened, model, version, existing, onClose, onSubmit }: Props) {
  const [values, setValues] = useState<DeploymentFormValues>(() => initialDeploymentValues(existing));
  const [showErrors, setShowErrors] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const errors = validateDeployment(values);
  const fieldError = (key: keyof DeploymentFormValues) => (showErrors ? errors[key] : undefined);
  const set = <K extends keyof DeploymentFormValues>(key: K, value: DeploymentFormValues[K]) =>
    setValues((v) => ({ ...v, [key]: value }));
  const numberField = (key: keyof DeploymentFormValues, label: string, min: number, description?: string) => (
    <NumberInput
      label={label}
      description={description}
      min={min}
      allowDecimal={false}
      value={Number.isNaN(values[key] as number) ? '' : (values[key] as number)}
      onChange={(v) => set(key, asNumber(v) as never)}
      error={fieldError(key)}
    />
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setShowErrors(true);
    if (Object.keys(errors).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(toDeploymentRequest(values));
      setBusy(false);
      onClose();
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title={`${existing ? 'Reconfigure' : 'Deploy'} ${model} v${version}`} size="lg" centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Input.Wrapper label="Device" description="GPU devices fall back to CPU when the server has none">
            <SegmentedControl
              fullWidth
              value={values.deviceKind}
              onChange={(v) => set('deviceKind', v as DeviceKind)}
              data={[
                { value: 'cpu', label: 'cpu' },
                { value: 'cuda', label: 'cuda' },
                { value: 'cuda:N', label: 'cuda:N' },
                { value: 'tensorrt', label: 'tensorrt' },
                { value: 'tensorrt:N', label: 'tensorrt:N' },
              ]}
            />
          </Input.Wrapper>
          {isIndexed(values.deviceKind) && numberField('deviceIndex', 'GPU index', 0)}
          <SimpleGrid cols={2}>
            {numberField('instances', 'Instances', 1, 'Sessions running in parallel')}
            {numberField('intraOpThreads', 'Intra-op threads', 0, '0 lets the runtime choose')}
          </SimpleGrid>
          <Divider label="Batching" labelPosition="left" />
          <SimpleGrid cols={2}>
            {numberField('maxBatchSize', 'Max batch size', 1)}
            {numberField('maxQueueDelayMicros', 'Max queue delay (µs)', 0)}
            {numberField('queueCapacity', 'Queue capacity', 1)}
            {numberField('defaultTimeoutMicros', 'Default timeout (µs)', 0, '0 waits without limit')}
            {numberField('priorityLevels', 'Priority levels', 1)}
            <TextInput
              label="Preferred batch sizes"
              placeholder="e.g. 4, 8"
              value={values.preferredBatchSizes}
              onChange={(e) => set('preferredBatchSizes', e.currentTarget.value)}
              error={fieldError('preferredBatchSizes')}
            />
          </SimpleGrid>
          <ErrorAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              {existing ? 'Apply' : 'Deploy'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
