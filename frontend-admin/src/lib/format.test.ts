import { describe, expect, it } from 'vitest';
import { formatBytes, formatMillis, formatRecipe } from './format';

describe('formatting', () => {
  it('prints sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MiB');
    expect(formatBytes(null)).toBe('—');
  });

  it('keeps sub-0.1 ms latencies readable', () => {
    expect(formatMillis(0.0071)).toBe('0.0071 ms');
    expect(formatMillis(0.5)).toBe('0.50 ms');
    expect(formatMillis(0)).toBe('0.00 ms');
    expect(formatMillis(123.45)).toBe('123.5 ms');
  });

  it('prints recipes as chains', () => {
    expect(formatRecipe([{ method: 'prune', options: { sparsity: 0.5 } }, { method: 'int8-dynamic', options: {} }])).toBe(
      'prune(sparsity=0.5) → int8-dynamic',
    );
    expect(formatRecipe({ method: 'fp16' })).toBe('fp16');
    expect(formatRecipe({ steps: [{ method: 'optimize', options: { level: 'all' } }, { method: 'fp16' }] })).toBe('optimize(level=all) → fp16');
    expect(formatRecipe('int8-dynamic')).toBe('int8-dynamic');
    expect(formatRecipe(null)).toBe('');
  });
});
