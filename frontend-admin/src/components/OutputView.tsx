import { Badge, Card, Code, Group, Progress, Stack, Table, Text } from '@mantine/core';
import type { InferTensor } from '../api/types';
import { looksLikeClassifier, topK } from '../lib/classify';

const PREVIEW = 64;
const MAX_ROWS = 8;

/** One output tensor: top-k classes for classifier-shaped outputs, otherwise the first values. */
export function OutputView({ output }: { output: InferTensor }) {
  const data = output.data ?? [];
  return (
    <Card withBorder padding="sm" data-testid={`output-${output.name}`}>
      <Stack gap="xs">
        <Group gap="xs">
          <Text fw={600} ff="monospace">
            {output.name}
          </Text>
          <Badge variant="light">{output.datatype}</Badge>
          <Text size="xs" c="dimmed">
            shape [{(output.shape ?? []).join(', ')}]
          </Text>
        </Group>
        {looksLikeClassifier(output) ? <TopK output={output} /> : null}
        <Code block data-testid={`output-values-${output.name}`}>
          {data
            .slice(0, PREVIEW)
            .map((v) => (typeof v === 'number' ? Number(v.toPrecision(6)) : v))
            .map((v) => JSON.stringify(v))
            .join(', ')}
          {data.length > PREVIEW ? ` … (${data.length - PREVIEW} more)` : ''}
        </Code>
      </Stack>
    </Card>
  );
}

function TopK({ output }: { output: InferTensor }) {
  const rows = topK(output, 5);
  const softmaxed = rows.some((r) => r.softmaxed);
  return (
    <Stack gap={4} data-testid="top-k">
      <Text size="xs" c="dimmed">
        Top classes per row{softmaxed ? ' (softmax applied to the raw scores)' : ''}
      </Text>
      <Table fz="sm" verticalSpacing={2}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Row</Table.Th>
            <Table.Th>Class</Table.Th>
            <Table.Th>Probability</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.slice(0, MAX_ROWS).flatMap((row, r) =>
            row.top.map((c, rank) => (
              <Table.Tr key={`${r}-${c.index}`}>
                <Table.Td>{rank === 0 ? r : ''}</Table.Td>
                <Table.Td ff="monospace">{c.index}</Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Progress value={c.probability * 100} w={120} size="sm" aria-label={`row ${r} class ${c.index}`} />
                    <Text size="sm">{(c.probability * 100).toFixed(2)} %</Text>
                  </Group>
                </Table.Td>
              </Table.Tr>
            )),
          )}
        </Table.Tbody>
      </Table>
      {rows.length > MAX_ROWS && (
        <Text size="xs" c="dimmed">
          {rows.length - MAX_ROWS} more rows not shown
        </Text>
      )}
    </Stack>
  );
}
