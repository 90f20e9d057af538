import { Badge, Button, Card, Group, NumberInput, Stack, Text, Textarea } from '@mantine/core';
import type { TensorSpec } from '../api/types';
import { buildTensor, elementCount, formatValues, initialShape, sampleValues, type FieldValue } from '../lib/signature';

interface Props {
  inputs: TensorSpec[];
  values: Record<string, FieldValue>;
  onChange: (values: Record<string, FieldValue>) => void;
}

export function initialFieldValues(inputs: TensorSpec[]): Record<string, FieldValue> {
  return Object.fromEntries(inputs.map((spec) => [spec.name, { shape: initialShape(spec), text: '' }]));
}

/** Values are generated only up to this many elements; bigger tensors are better sent as raw JSON. */
const FILL_LIMIT = 1_000_000;

/**
 * One field per model input: the declared shape with its dynamic (-1) dimensions editable, and the values
 * as comma-separated numbers or JSON. Problems show under the field as soon as values are typed.
 */
export function SignatureForm({ inputs, values, onChange }: Props) {
  const field = (spec: TensorSpec): FieldValue => values[spec.name] ?? { shape: initialShape(spec), text: '' };
  const set = (spec: TensorSpec, next: FieldValue) => onChange({ ...values, [spec.name]: next });

  if (inputs.length === 0) {
    return <Text c="dimmed">The model declares no inputs.</Text>;
  }

  return (
    <Stack gap="sm">
      {inputs.map((spec) => {
        const value = field(spec);
        const count = elementCount(value.shape);
        const result = value.text.trim() === '' ? null : buildTensor(spec, value.shape, value.text);
        const errors = result && !result.ok ? result.errors : [];
        return (
          <Card key={spec.name} withBorder padding="sm" data-testid={`input-${spec.name}`}>
            <Stack gap="xs">
              <Group justify="space-between">
                <Group gap="xs">
                  <Text fw={600} ff="monospace">
                    {spec.name}
                  </Text>
                  <Badge variant="light">{spec.datatype}</Badge>
                  <Text size="xs" c="dimmed">
                    declared [{spec.shape.join(', ')}]
                  </Text>
                </Group>
                <Group gap={4}>
                  <Button
                    size="compact-xs"
                    variant="light"
                    disabled={count > FILL_LIMIT}
                    onClick={() => set(spec, { ...value, text: formatValues(sampleValues(spec.datatype, count)) })}
                  >
                    Fill random
                  </Button>
                  <Button
                    size="compact-xs"
                    variant="default"
                    disabled={count > FILL_LIMIT}
                    onClick={() => set(spec, { ...value, text: formatValues(sampleValues(spec.datatype, count, () => 0)) })}
                  >
                    Zeros
                  </Button>
                </Group>
              </Group>
              <Group gap="xs" align="center">
                <Text size="sm">Shape</Text>
                {value.shape.map((dim, i) =>
                  spec.shape[i] >= 0 ? (
                    <Badge key={i} variant="outline" color="gray" size="lg" radius="sm">
                      {dim}
                    </Badge>
                  ) : (
                    <NumberInput
                      key={i}
                      aria-label={`${spec.name} dimension ${i}`}
                      min={0}
                      allowDecimal={false}
                      allowNegative={false}
                      w={80}
                      size="xs"
                      value={dim}
                      onChange={(v) => {
                        const shape = [...value.shape];
                        shape[i] = typeof v === 'number' ? v : Number.NaN;
                        set(spec, { ...value, shape });
                      }}
                    />
                  ),
                )}
                <Text size="xs" c="dimmed">
                  {Number.isFinite(count) ? `${count} values` : ''}
                </Text>
              </Group>
              <Textarea
                aria-label={`${spec.name} values`}
                placeholder="comma-separated values, or JSON such as [[0.1, 0.2], [0.3, 0.4]]"
                autosize
                minRows={2}
                maxRows={8}
                ff="monospace"
                value={value.text}
                onChange={(e) => set(spec, { ...value, text: e.currentTarget.value })}
                error={errors.length > 0 ? errors.join('; ') : undefined}
              />
            </Stack>
          </Card>
        );
      })}
    </Stack>
  );
}
