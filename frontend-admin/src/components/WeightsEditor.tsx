import { useRef, useState } from 'react';
import { ActionIcon, Badge, Button, Group, NativeSelect, NumberInput, Slider, Stack, Text } from '@mantine/core';
import type { Variant } from '../api/types';
import { addVariant, evenSplit, rebalance, removeAt, sum } from '../lib/weights';

function sameWeights(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((w, i) => w === b[i]);
}

interface Props {
  variants: Variant[];
  /** Versions that may be added as variants (already present ones are skipped). */
  candidates: number[];
  onChange: (variants: Variant[]) => void;
}

/**
 * One slider per variant; the weights always add up to 100. Moving one weight spreads the difference over
 * the others in proportion to what they had when that slider was first touched, so dragging back restores them.
 */
export function WeightsEditor({ variants, candidates, onChange }: Props) {
  const snapshot = useRef<{ index: number; weights: number[]; last: number[] } | null>(null);
  const available = candidates.filter((c) => !variants.some((v) => v.version === c));
  const [toAdd, setToAdd] = useState<string>('');
  const weights = variants.map((v) => v.weight);

  const withWeights = (next: number[]) => variants.map((v, i) => ({ version: v.version, weight: next[i] }));

  const setWeight = (index: number, value: number) => {
    const current = snapshot.current;
    // start over from the present weights when another slider moves or the weights changed elsewhere
    const base = current && current.index === index && sameWeights(current.last, weights) ? current.weights : weights;
    const next = rebalance(base, index, value);
    snapshot.current = { index, weights: base, last: next };
    onChange(withWeights(next));
  };

  const add = () => {
    const version = Number(toAdd || available[0]);
    if (!Number.isInteger(version)) return;
    snapshot.current = null;
    const next = addVariant(weights);
    onChange([...variants.map((v, i) => ({ ...v, weight: next[i] })), { version, weight: next[next.length - 1] }]);
    setToAdd('');
  };

  const remove = (index: number) => {
    snapshot.current = null;
    const next = removeAt(weights, index);
    onChange(variants.filter((_, i) => i !== index).map((v, i) => ({ ...v, weight: next[i] })));
  };

  const total = sum(weights);
  return (
    <Stack gap="sm" data-testid="weights-editor">
      {variants.length === 0 && (
        <Text size="sm" c="dimmed">
          No variants: requests without a version go to the newest deployed version.
        </Text>
      )}
      {variants.map((variant, index) => (
        <Group key={variant.version} align="center" wrap="nowrap" data-testid={`variant-v${variant.version}`}>
          <Text fw={600} w={48}>
            v{variant.version}
          </Text>
          <Slider
            style={{ flex: 1 }}
            min={0}
            max={100}
            step={1}
            value={variant.weight}
            onChange={(value) => setWeight(index, value)}
            label={(value) => `${value} %`}
            thumbLabel={`Weight of v${variant.version}`}
            disabled={variants.length === 1}
          />
          <NumberInput
            aria-label={`Weight of v${variant.version} in percent`}
            min={0}
            max={100}
            allowDecimal={false}
            allowNegative={false}
            clampBehavior="strict"
            suffix=" %"
            w={96}
            value={variant.weight}
            onChange={(value) => {
              if (typeof value === 'number') setWeight(index, value);
            }}
            disabled={variants.length === 1}
          />
          <ActionIcon variant="subtle" color="red" aria-label={`Remove v${variant.version}`} onClick={() => remove(index)}>
            ✕
          </ActionIcon>
        </Group>
      ))}
      <Group justify="space-between">
        <Group gap="xs" align="flex-end">
          <NativeSelect
            aria-label="Version to add"
            data={[{ value: '', label: available.length ? 'Add version…' : 'No other deployed version' }, ...available.map((v) => ({ value: String(v), label: `v${v}` }))]}
            value={toAdd}
            onChange={(e) => setToAdd(e.currentTarget.value)}
            disabled={available.length === 0}
          />
          <Button variant="light" size="sm" onClick={add} disabled={available.length === 0}>
            Add variant
          </Button>
          <Button
            variant="default"
            size="sm"
            disabled={variants.length < 2}
            onClick={() => {
              snapshot.current = null;
              onChange(withWeights(evenSplit(variants.length)));
            }}
          >
            Split evenly
          </Button>
        </Group>
        {variants.length > 0 && (
          <Badge color={total === 100 ? 'teal' : 'red'} variant="light" data-testid="weights-total">
            total {total} %
          </Badge>
        )}
      </Group>
    </Stack>
  );
}
