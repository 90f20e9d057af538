import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TensorSpec } from '../api/types';
import { buildInferRequest, type FieldValue } from '../lib/signature';
import { renderWithTheme } from '../test/render';
import { SignatureForm, initialFieldValues } from './SignatureForm';

const inputs: TensorSpec[] = [
  { name: 'features', datatype: 'FP32', shape: [-1, 4] },
  { name: 'mask', datatype: 'BOOL', shape: [2] },
];

function Harness() {
  const [values, setValues] = useState<Record<string, FieldValue>>(() => initialFieldValues(inputs));
  const result = buildInferRequest(inputs, values);
  return (
    <>
      <SignatureForm inputs={inputs} values={values} onChange={setValues} />
      <output data-testid="request">{result.ok ? JSON.stringify(result.request) : 'invalid'}</output>
    </>
  );
}

describe('SignatureForm', () => {
  it('renders one field per input, with only dynamic dimensions editable', () => {
    renderWithTheme(<Harness />);
    expect(screen.getByTestId('input-features')).toBeInTheDocument();
    expect(screen.getByTestId('input-mask')).toBeInTheDocument();
    expect(screen.getByLabelText('features dimension 0')).toHaveValue('1');
    expect(screen.queryByLabelText('features dimension 1')).not.toBeInTheDocument();
    expect(within(screen.getByTestId('input-features')).getByText('declared [-1, 4]')).toBeInTheDocument();
  });

  it('shows a count error under the field and clears it once the shape fits', async () => {
    renderWithTheme(<Harness />);
    const values = screen.getByLabelText('features values');
    await userEvent.type(values, '1, 2, 3, 4, 5, 6, 7, 8');
    expect(screen.getByText('features: shape [1, 4] needs 4 values, got 8')).toBeInTheDocument();

    const batch = screen.getByLabelText('features dimension 0');
    await userEvent.clear(batch);
    await userEvent.type(batch, '2');
    expect(screen.queryByText(/needs 4 values/)).not.toBeInTheDocument();
    expect(screen.getByText('8 values')).toBeInTheDocument();
  });

  it('flags values that do not fit the datatype', async () => {
    renderWithTheme(<Harness />);
    await userEvent.type(screen.getByLabelText('mask values'), 'true, maybe');
    expect(screen.getByText('mask: value 2 (maybe) is not true/false')).toBeInTheDocument();
  });

  it('fills random values of the right count and builds the request', async () => {
    renderWithTheme(<Harness />);
    const [fillFeatures, fillMask] = screen.getAllByRole('button', { name: 'Fill random' });
    await userEvent.click(fillFeatures);
    await userEvent.click(fillMask);
    const request = JSON.parse(screen.getByTestId('request').textContent ?? '');
    expect(request.inputs[0]).toMatchObject({ name: 'features', shape: [1, 4], datatype: 'FP32' });
    expect(request.inputs[0].data).toHaveLength(4);
    expect(request.inputs[1]).toEqual({ name: 'mask', shape: [2], datatype: 'BOOL', data: [true, false] });
  });
});
