import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Variant } from '../api/types';
import { renderWithTheme } from '../test/render';
import { WeightsEditor } from './WeightsEditor';

function Harness({ initial, candidates = [1, 2, 3] }: { initial: Variant[]; candidates?: number[] }) {
  const [variants, setVariants] = useState(initial);
  return (
    <>
      <WeightsEditor variants={variants} candidates={candidates} onChange={setVariants} />
      <output data-testid="state">{variants.map((v) => `v${v.version}=${v.weight}`).join(' ')}</output>
    </>
  );
}

const state = () => screen.getByTestId('state').textContent;

async function typeWeight(version: number, value: string) {
  const input = screen.getByLabelText(`Weight of v${version} in percent`);
  await userEvent.clear(input);
  await userEvent.type(input, value);
}

describe('WeightsEditor', () => {
  it('rebalances the other variant when one weight is typed', async () => {
    renderWithTheme(
      <Harness
        initial={[
          { version: 1, weight: 100 },
          { version: 2, weight: 0 },
        ]}
      />,
    );
    await typeWeight(1, '50');
    expect(state()).toBe('v1=50 v2=50');
    expect(screen.getByTestId('weights-total')).toHaveTextContent('total 100 %');
  });

  it('keeps the others proportional and restores them when the same weight moves back', async () => {
    renderWithTheme(
      <Harness
        initial={[
          { version: 1, weight: 50 },
          { version: 2, weight: 30 },
          { version: 3, weight: 20 },
        ]}
      />,
    );
    await typeWeight(1, '80');
    expect(state()).toBe('v1=80 v2=12 v3=8');
    await typeWeight(1, '50');
    expect(state()).toBe('v1=50 v2=30 v3=20');
  });

  it('moves with the slider keyboard controls and keeps the sum at 100', () => {
    renderWithTheme(
      <Harness
        initial={[
          { version: 1, weight: 60 },
          { version: 2, weight: 40 },
        ]}
      />,
    );
    const thumb = screen.getByRole('slider', { name: 'Weight of v2' });
    fireEvent.keyDown(thumb, { key: 'ArrowRight' });
    fireEvent.keyDown(thumb, { key: 'ArrowRight' });
    expect(state()).toBe('v1=58 v2=42');
  });

  it('adds a variant at 0 and splits evenly on request', async () => {
    renderWithTheme(<Harness initial={[{ version: 1, weight: 100 }]} />);
    await userEvent.selectOptions(screen.getByLabelText('Version to add'), '3');
    await userEvent.click(screen.getByRole('button', { name: 'Add variant' }));
    expect(state()).toBe('v1=100 v3=0');
    await userEvent.click(screen.getByRole('button', { name: 'Add variant' }));
    expect(state()).toBe('v1=100 v3=0 v2=0');
    await userEvent.click(screen.getByRole('button', { name: 'Split evenly' }));
    expect(state()).toBe('v1=34 v3=33 v2=33');
  });

  it('spreads a removed variant over the rest', async () => {
    renderWithTheme(
      <Harness
        initial={[
          { version: 1, weight: 50 },
          { version: 2, weight: 25 },
          { version: 3, weight: 25 },
        ]}
      />,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Remove v1' }));
    expect(state()).toBe('v2=50 v3=50');
  });

  it('offers only versions that are not variants yet', () => {
    renderWithTheme(<Harness initial={[{ version: 2, weight: 100 }]} />);
    const options = within(screen.getByLabelText('Version to add')).getAllByRole('option').map((o) => o.textContent);
    expect(options).toEqual(['Add version…', 'v1', 'v3']);
  });
});
