import { describe, expect, it } from 'vitest';
import { formatBytes, formatRecipe } from './format';

describe('formatting', () => {
  it('prints sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MiB');
    expect(formatBytes(null)).toBe('—');
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
