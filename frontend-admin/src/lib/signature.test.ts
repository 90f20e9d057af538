import { describe, expect, it } from 'vitest';
import type { TensorSpec } from '../api/types';
import { buildInferRequest, buildTensor, initialShape, parseRawRequest, parseTensorData, sampleValues, shapeErrors } from './signature';

const image: TensorSpec = { name: 'pixels', datatype: 'FP32', shape: [-1, 3] };

describe('parseTensorData', () => {
  it('reads comma, semicolon and white-space separated numbers', () => {
    expect(parseTensorData('1, 2.5;3\n4  -5e-1', 'FP32')).toEqual({ ok: true, data: [1, 2.5, 3, 4, -0.5] });
  });

  it('flattens nested JSON row-major', () => {
    expect(parseTensorData('[[1, 2], [3, 4]]', 'FP32')).toEqual({ ok: true, data: [1, 2, 3, 4] });
  });

  it('names the value that is not a number', () => {
    expect(parseTensorData('1, x, 3', 'FP32')).toEqual({ ok: false, error: 'value 2 (x) is not a number' });
  });

  it('rejects broken JSON and empty input', () => {
    expect(parseTensorData('[1, 2', 'FP32')).toEqual({ ok: false, error: 'not valid JSON' });
    expect(parseTensorData('   ', 'FP32')).toEqual({ ok: false, error: 'no values given' });
  });

  it('checks whole numbers and ranges for integer types', () => {
    expect(parseTensorData('1.5', 'INT64')).toEqual({ ok: false, error: 'value 1 (1.5) is not a whole number (INT64)' });
    expect(parseTensorData('256', 'UINT8')).toEqual({ ok: false, error: 'value 1 (256) is out of range for UINT8' });
    expect(parseTensorData('-1', 'UINT32').ok).toBe(false);
    expect(parseTensorData('-128, 127', 'INT8')).toEqual({ ok: true, data: [-128, 127] });
  });

  it('reads booleans as true/false or 1/0', () => {
    expect(parseTensorData('true, 0, FALSE, 1', 'BOOL')).toEqual({ ok: true, data: [true, false, false, true] });
    expect(parseTensorData('yes', 'BOOL').ok).toBe(false);
  });

  it('keeps BYTES as strings, from JSON or from comma-separated text', () => {
    expect(parseTensorData('["a b", "c"]', 'BYTES')).toEqual({ ok: true, data: ['a b', 'c'] });
    expect(parseTensorData('hello world, bye', 'BYTES')).toEqual({ ok: true, data: ['hello world', 'bye'] });
  });
});

describe('shapes', () => {
  it('starts dynamic dimensions at 1', () => {
    expect(initialShape({ name: 'x', datatype: 'FP32', shape: [-1, 3, -1] })).toEqual([1, 3, 1]);
  });

  it('refuses a changed fixed dimension, a negative one and a wrong rank', () => {
    expect(shapeErrors(image, [2, 4])).toEqual(['pixels: dimension 1 is fixed at 3']);
    expect(shapeErrors(image, [-1, 3])).toEqual(['pixels: dimension 0 must be a whole number ≥ 0']);
    expect(shapeErrors(image, [Number.NaN, 3])).toEqual(['pixels: dimension 0 must be a whole number ≥ 0']);
    expect(shapeErrors(image, [3])).toEqual(['pixels: expected 2 dimensions, got 1']);
  });
});

describe('buildTensor', () => {
  it('uses the chosen size of a dynamic dimension', () => {
    expect(buildTensor(image, [2, 3], '1,2,3,4,5,6')).toEqual({
      ok: true,
      tensor: { name: 'pixels', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] },
    });
  });

  it('says how many values the shape needs', () => {
    expect(buildTensor(image, [2, 3], '1,2,3')).toEqual({ ok: false, errors: ['pixels: shape [2, 3] needs 6 values, got 3'] });
  });

  it('reports shape and value problems together', () => {
    const result = buildTensor(image, [1, 4], '1, a');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual(['pixels: dimension 1 is fixed at 3', 'pixels: value 2 (a) is not a number']);
  });
});

describe('buildInferRequest', () => {
  const ids: TensorSpec = { name: 'ids', datatype: 'INT64', shape: [-1] };

  it('builds one tensor per input', () => {
    const result = buildInferRequest([image, ids], {
      pixels: { shape: [1, 3], text: '[0.1, 0.2, 0.3]' },
      ids: { shape: [2], text: '7 8' },
    });
    expect(result).toEqual({
      ok: true,
      request: {
        inputs: [
          { name: 'pixels', shape: [1, 3], datatype: 'FP32', data: [0.1, 0.2, 0.3] },
          { name: 'ids', shape: [2], datatype: 'INT64', data: [7, 8] },
        ],
      },
    });
  });

  it('collects the errors of every field, including fields never filled in', () => {
    const result = buildInferRequest([image, ids], { pixels: { shape: [1, 3], text: '1' } });
    expect(result).toEqual({
      ok: false,
      errors: ['pixels: shape [1, 3] needs 3 values, got 1', 'ids: no values given'],
    });
  });
});

describe('parseRawRequest', () => {
  it('accepts a well-formed body', () => {
    const body = '{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}]}';
    expect(parseRawRequest(body).ok).toBe(true);
  });

  it('explains what a body lacks', () => {
    expect(parseRawRequest('{}')).toEqual({ ok: false, errors: ['the body needs an "inputs" array'] });
    expect(parseRawRequest('{"inputs":[{"name":"x"}]}')).toEqual({
      ok: false,
      errors: ['x: needs a "shape" array', 'x: needs a "datatype"', 'x: needs a "data" array'],
    });
    const broken = parseRawRequest('{');
    expect(!broken.ok && broken.errors[0]).toMatch(/^not valid JSON/);
  });
});

describe('sampleValues', () => {
  it('produces values that parse back for their datatype', () => {
    for (const type of ['FP32', 'FP16', 'INT64', 'UINT8', 'BOOL', 'BYTES']) {
      const values = sampleValues(type, 4);
      expect(values).toHaveLength(4);
      expect(parseTensorData(JSON.stringify(values), type).ok).toBe(true);
    }
  });
});
