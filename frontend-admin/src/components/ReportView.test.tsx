import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import type { CompressionReport } from '../api/types';
import { renderWithTheme } from '../test/render';
import { ReportView } from './ReportView';

const report: CompressionReport = {
  parent: { sizeBytes: 4 * 1024 * 1024, loadMillis: 80, batch1: { rowsPerSecond: 1000, p50Millis: 2 }, batch32: { rowsPerSecond: 9000, p50Millis: 3.5 } },
  child: { sizeBytes: 1024 * 1024, loadMillis: 40, batch1: { rowsPerSecond: 2500, p50Millis: 0.8 }, batch32: { rowsPerSecond: 9050, p50Millis: 3.5 } },
  fidelity: { maxAbsError: 0.004, meanCosine: 0.99987, top1Agreement: 0.9921875, samples: 128, source: 'random' },
};

describe('ReportView', () => {
  it('shows parent and child side by side with the change', () => {
    renderWithTheme(<ReportView report={report} parentLabel="Parent v1" childLabel="Child v2" />);
    const size = screen.getByTestId('report-row-size');
    expect(within(size).getByText('4.00 MiB')).toBeInTheDocument();
    expect(within(size).getByText('1.00 MiB')).toBeInTheDocument();
    expect(within(size).getByText('4.00× smaller')).toBeInTheDocument();
    expect(within(screen.getByTestId('report-row-batch1.throughput')).getByText('2.50× faster')).toBeInTheDocument();
    expect(within(screen.getByTestId('report-row-batch32.throughput')).getByText('about the same')).toBeInTheDocument();
    expect(screen.getByRole('columnheader', { name: 'Parent v1' })).toBeInTheDocument();
    expect(screen.getByRole('columnheader', { name: 'Child v2' })).toBeInTheDocument();
  });

  it('draws both bars for each figure', () => {
    renderWithTheme(<ReportView report={report} parentLabel="Parent v1" childLabel="Child v2" />);
    expect(screen.getByRole('progressbar', { name: 'Size, Parent v1' })).toHaveAttribute('aria-valuenow', '100');
    expect(screen.getByRole('progressbar', { name: 'Size, Child v2' })).toHaveAttribute('aria-valuenow', '25');
  });

  it('shows the fidelity figures', () => {
    renderWithTheme(<ReportView report={report} parentLabel="Parent v1" childLabel="Child v2" />);
    expect(within(screen.getByTestId('fidelity-top1Agreement')).getByText('99.22 %')).toBeInTheDocument();
    expect(within(screen.getByTestId('fidelity-meanCosine')).getByText('0.99987')).toBeInTheDocument();
    expect(within(screen.getByTestId('fidelity-source')).getByText('random')).toBeInTheDocument();
  });

  it('renders dashes for whatever the report lacks', () => {
    renderWithTheme(<ReportView report={{ child: { sizeBytes: 2048 } }} parentLabel="Parent v1" childLabel="Child v2" />);
    const size = screen.getByTestId('report-row-size');
    expect(within(size).getByText('2.00 KiB')).toBeInTheDocument();
    expect(within(size).getAllByText('—')).toHaveLength(2);
    expect(within(screen.getByTestId('fidelity-samples')).getByText('—')).toBeInTheDocument();
  });

  it('lists the notes and extras', () => {
    renderWithTheme(
      <ReportView
        report={{ ...report, notes: ['batch 32 skipped: the batch dimension is fixed'], extras: { quantizedNodes: 3, kernel: 'fused' } }}
        parentLabel="Parent v1"
        childLabel="Child v2"
      />,
    );
    const notes = screen.getByTestId('report-notes');
    expect(within(notes).getByText('batch 32 skipped: the batch dimension is fixed')).toBeInTheDocument();
    expect(within(notes).getByText('quantizedNodes: 3')).toBeInTheDocument();
    expect(within(notes).getByText('kernel: fused')).toBeInTheDocument();
  });

  it('says so when there is no report at all', () => {
    renderWithTheme(<ReportView report={null} parentLabel="Parent v1" childLabel="Child v2" />);
    expect(screen.getByText('No report was recorded for this version.')).toBeInTheDocument();
  });
});
