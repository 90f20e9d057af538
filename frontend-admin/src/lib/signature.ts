import type { InferRequest, InferTensor, TensorData, TensorSpec } from '../api/types';

/**
 * Turning what an operator types into v2 input tensors: shapes with dynamic (-1) dimensions resolved,
 * values given as comma-separated text or JSON (nested or flat), checked against the datatype.
 */

export const DYNAMIC = -1;

const INTEGER_RANGES: Record<string, [bigint, bigint]> = {
  UINT8: [0n, 255n],
  UINT16: [0n, 65535n],
  UINT32: [0n, 4294967295n],
  UINT64: [0n, 18446744073709551615n],
  INT8: [-128n, 127n],
  INT16: [-32768n, 32767n],
  INT32: [-2147483648n, 2147483647n],
  INT64: [-9223372036854775808n, 9223372036854775807n],
};

const FLOAT_TYPES = new Set(['FP16', 'FP32', 'FP64', 'BF16']);

export function isFloatType(datatype: string): boolean {
  return FLOAT_TYPES.has(datatype.toUpperCase());
}

export function isIntegerType(datatype: string): boolean {
  return datatype.toUpperCase() in INTEGER_RANGES;
}

/** The starting shape for a form: each dynamic dimension becomes 1. */
export function initialShape(spec: TensorSpec): number[] {
  return spec.shape.map((d) => (d < 0 ? 1 : d));
}

export function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Problems with a chosen shape against the signature; empty when it fits. */
export function shapeErrors(spec: TensorSpec, shape: number[]): string[] {
  if (shape.length !== spec.shape.length) {
    return [`${spec.name}: expected ${spec.shape.length} dimensions, got ${shape.length}`];
  }
  const errors: string[] = [];
  shape.forEach((dim, i) => {
    const declared = spec.shape[i];
    if (!Number.isInteger(dim) || dim < 0) {
      errors.push(`${spec.name}: dimension ${i} must be a whole number ≥ 0`);
    } else if (declared >= 0 && dim !== declared) {
      errors.push(`${spec.name}: dimension ${i} is fixed at ${declared}`);
    }
  });
  return errors;
}

function flatten(value: unknown, out: unknown[]): void {
  if (Array.isArray(value)) value.forEach((v) => flatten(v, out));
  else out.push(value);
}

function splitPlain(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

function parseBoolean(token: unknown): boolean | null {
  if (typeof token === 'boolean') return token;
  if (typeof token === 'number') return token === 1 ? true : token === 0 ? false : null;
  if (typeof token === 'string') {
    const t = token.trim().toLowerCase();
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
  }
  return null;
}

function parseNumber(token: unknown): number | null {
  if (typeof token === 'number') return Number.isFinite(token) ? token : null;
  if (typeof token !== 'string' || token.trim() === '') return null;
  const n = Number(token);
  return Number.isFinite(n) ? n : null;
}

export type ParseResult = { ok: true; data: TensorData } | { ok: false; error: string };

/**
 * Parses the values of one tensor. Text starting with `[` is read as JSON (nested arrays are flattened
 * row-major); otherwise values are separated by commas, semicolons or white space. BYTES values are
 * taken as strings: a JSON array of strings, or comma-separated text.
 */
export function parseTensorData(text: string, datatype: string): ParseResult {
  const type = datatype.toUpperCase();
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: 'no values given' };

  let tokens: unknown[];
  if (trimmed.startsWith('[')) {
    try {
      tokens = [];
      flatten(JSON.parse(trimmed), tokens);
    } catch {
      return { ok: false, error: 'not valid JSON' };
    }
  } else if (type === 'BYTES') {
    tokens = trimmed.split(',').map((t) => t.trim());
  } else {
    tokens = splitPlain(trimmed);
  }

  const data: TensorData = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (type === 'BYTES') {
      data.push(typeof token === 'string' ? token : JSON.stringify(token));
    } else if (type === 'BOOL') {
      const b = parseBoolean(token);
      if (b === null) return { ok: false, error: `value ${i + 1} (${String(token)}) is not true/false` };
      data.push(b);
    } else {
      const n = parseNumber(token);
      if (n === null) return { ok: false, error: `value ${i + 1} (${String(token)}) is not a number` };
      const range = INTEGER_RANGES[type];
      if (range) {
        if (!Number.isInteger(n)) return { ok: false, error: `value ${i + 1} (${n}) is not a whole number (${type})` };
        const big = BigInt(n);
        if (big < range[0] || big > range[1]) {
          return { ok: false, error: `value ${i + 1} (${n}) is out of range for ${type}` };
        }
      }
      data.push(n);
    }
  }
  return { ok: true, data };
}

export type TensorResult = { ok: true; tensor: InferTensor } | { ok: false; errors: string[] };

/** Validates one input field (shape and values) and returns the tensor to send. */
export function buildTensor(spec: TensorSpec, shape: number[], text: string): TensorResult {
  const errors = shapeErrors(spec, shape);
  const parsed = parseTensorData(text, spec.datatype);
  if (!parsed.ok) errors.push(`${spec.name}: ${parsed.error}`);
  if (errors.length > 0) return { ok: false, errors };
  const data = (parsed as { ok: true; data: TensorData }).data;
  const expected = elementCount(shape);
  if (data.length !== expected) {
    return {
      ok: false,
      errors: [`${spec.name}: shape [${shape.join(', ')}] needs ${expected} values, got ${data.length}`],
    };
  }
  return { ok: true, tensor: { name: spec.name, shape, datatype: spec.datatype, data } };
}

export interface FieldValue {
  shape: number[];
  text: string;
}

export type RequestResult = { ok: true; request: InferRequest } | { ok: false; errors: string[] };

/** Builds a v2 inference request from one field per input; collects every field's errors. */
export function buildInferRequest(specs: TensorSpec[], fields: Record<string, FieldValue>): RequestResult {
  const errors: string[] = [];
  const inputs: InferTensor[] = [];
  specs.forEach((spec) => {
    const field = fields[spec.name] ?? { shape: initialShape(spec), text: '' };
    const result = buildTensor(spec, field.shape, field.text);
    if (result.ok) inputs.push(result.tensor);
    else errors.push(...result.errors);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, request: { inputs } };
}

/** Checks a hand-written request body: JSON with an `inputs` array of named tensors. */
export function parseRawRequest(text: string): RequestResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`not valid JSON: ${(e as Error).message}`] };
  }
  if (!parsed || typeof parsed !== 'object' || !Array.isArray((parsed as { inputs?: unknown }).inputs)) {
    return { ok: false, errors: ['the body needs an "inputs" array'] };
  }
  const inputs = (parsed as { inputs: unknown[] }).inputs;
  const errors: string[] = [];
  inputs.forEach((input, i) => {
    const t = input as Partial<InferTensor> | null;
    if (!t || typeof t.name !== 'string') errors.push(`inputs[${i}] needs a "name"`);
    else {
      if (!Array.isArray(t.shape)) errors.push(`${t.name}: needs a "shape" array`);
      if (typeof t.datatype !== 'string') errors.push(`${t.name}: needs a "datatype"`);
      if (!Array.isArray(t.data)) errors.push(`${t.name}: needs a "data" array`);
    }
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, request: parsed as InferRequest };
}

/** Values to try a model with: floats in [0, 1), small whole numbers, alternating booleans. */
export function sampleValues(datatype: string, count: number, random: () => number = Math.random): TensorData {
  const type = datatype.toUpperCase();
  const values: TensorData = [];
  for (let i = 0; i < count; i++) {
    if (type === 'BOOL') values.push(i % 2 === 0);
    else if (type === 'BYTES') values.push(`sample ${i}`);
    else if (isFloatType(type)) values.push(Math.round(random() * 1000) / 1000);
    else values.push(Math.floor(random() * 10));
  }
  return values;
}

/** Values as the form shows them: comma-separated numbers, or JSON for strings. */
export function formatValues(data: TensorData): string {
  if (data.some((v) => typeof v === 'string')) return JSON.stringify(data);
  return data.map(String).join(', ');
}
