import { Badge, Card, Code, Group, List, Progress, SimpleGrid, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import type { CompressionReport } from '../api/types';
import { MISSING, formatBytes, formatMillis, formatNumber, formatPercent } from '../lib/format';
import { barLengths, compareReport, describeRatio, fidelityRows, reportRemarks, type ComparisonRow, type FidelityRow } from '../lib/report';

function formatValue(row: ComparisonRow, value: number | null): string {
  if (value === null) return MISSING;
  if (row.unit === 'bytes') return formatBytes(value);
  if (row.unit === 'millis') return formatMillis(value);
  return `${formatNumber(value, 1)} rows/s`;
}

function formatFidelity(row: FidelityRow): string {
  if (row.value === null) return MISSING;
  if (row.kind === 'percent') return formatPercent(row.value as number, 2);
  if (row.kind === 'count') return formatNumber(row.value as number, 0);
  if (row.kind === 'number') return formatNumber(row.value as number, 6);
  return String(row.value);
}

const VERDICT_COLORS = { better: 'teal', worse: 'red', same: 'gray' } as const;

interface Props {
  report: CompressionReport | null | undefined;
  parentLabel: string;
  childLabel: string;
}

/** A compression report: each figure of the child next to its parent's, with bars and the change. */
export function ReportView({ report, parentLabel, childLabel }: Props) {
  if (!report || typeof report !== 'object') {
    return <Text c="dimmed">No report was recorded for this version.</Text>;
  }
  const rows = compareReport(report);
  const fidelity = fidelityRows(report);
  const remarks = reportRemarks(report);
  return (
    <Stack data-testid="report">
      <Table verticalSpacing="xs" layout="fixed">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w="22%">Figure</Table.Th>
            <Table.Th>{parentLabel}</Table.Th>
            <Table.Th>{childLabel}</Table.Th>
            <Table.Th w="28%">Comparison</Table.Th>
            <Table.Th>Change</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => {
            const bars = barLengths(row);
            return (
              <Table.Tr key={row.key} data-testid={`report-row-${row.key}`}>
                <Table.Td>
                  <Text size="sm">{row.label}</Text>
                  <Text size="xs" c="dimmed">
                    {row.higherIsBetter ? 'higher is better' : 'lower is better'}
                  </Text>
                </Table.Td>
                <Table.Td>{formatValue(row, row.parent)}</Table.Td>
                <Table.Td>{formatValue(row, row.child)}</Table.Td>
                <Table.Td>
                  <Stack gap={4}>
                    <Tooltip label={`${parentLabel}: ${formatValue(row, row.parent)}`}>
                      <Progress value={bars.parent} color="gray" size="md" aria-label={`${row.label}, ${parentLabel}`} />
                    </Tooltip>
                    <Tooltip label={`${childLabel}: ${formatValue(row, row.child)}`}>
                      <Progress value={bars.child} color="teal" size="md" aria-label={`${row.label}, ${childLabel}`} />
                    </Tooltip>
                  </Stack>
                </Table.Td>
                <Table.Td>
                  {row.verdict ? (
                    <Badge color={VERDICT_COLORS[row.verdict]} variant="light" data-testid={`ratio-${row.key}`}>
                      {describeRatio(row)}
                    </Badge>
                  ) : (
                    <Text size="sm" c="dimmed">
                      {MISSING}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      <Card withBorder>
        <Title order={5} mb="xs">
          Fidelity
        </Title>
        <SimpleGrid cols={{ base: 2, md: 5 }}>
          {fidelity.map((row) => (
            <div key={row.key} data-testid={`fidelity-${row.key}`}>
              <Text size="xs" c="dimmed">
                {row.label}
              </Text>
              <Text fw={600}>{formatFidelity(row)}</Text>
            </div>
          ))}
        </SimpleGrid>
      </Card>
      {(remarks.notes.length > 0 || remarks.extras.length > 0) && (
        <Card withBorder data-testid="report-notes">
          <Title order={5} mb="xs">
            Notes
          </Title>
          {remarks.notes.length > 0 && (
            <List size="sm" spacing={2}>
              {remarks.notes.map((note, i) => (
                <List.Item key={i}>{note}</List.Item>
              ))}
            </List>
          )}
          {remarks.extras.length > 0 && (
            <Group gap="xs" mt="xs">
              {remarks.extras.map(([key, value]) => (
                <Code key={key}>
                  {key}: {value}
                </Code>
              ))}
            </Group>
          )}
        </Card>
      )}
      <Group gap="xs">
        <Badge color="gray" variant="light">
          grey bar: {parentLabel}
        </Badge>
        <Badge color="teal" variant="light">
          green bar: {childLabel}
        </Badge>
      </Group>
    </Stack>
  );
}
