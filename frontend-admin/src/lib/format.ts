/** Display helpers: every formatter accepts missing values and renders them as an em dash. */

export const MISSING = '—';

export function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function formatBytes(bytes: number | null | undefined): string {
  if (!isNumber(bytes)) return MISSING;
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} ${units[unit]}`;
}

export function formatNumber(value: number | null | undefined, digits = 2): string {
  if (!isNumber(value)) return MISSING;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

export function formatMillis(value: number | null | undefined): string {
  if (!isNumber(value)) return MISSING;
  if (value !== 0 && Math.abs(value) < 0.1) return `${Number(value.toPrecision(2))} ms`;
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
}

export function formatPercent(fraction: number | null | undefined, digits = 1): string {
  if (!isNumber(fraction)) return MISSING;
  return `${(fraction * 100).toFixed(digits)} %`;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return MISSING;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });
}

/** A recipe as a short chain, e.g. "int8-dynamic → prune(sparsity=0.5)". */
export function formatRecipe(recipe: unknown): string {
  if (recipe == null) return '';
  if (typeof recipe === 'string') return recipe;
  const listed = (key: 'steps' | 'recipe'): unknown[] | null => {
    const inner = typeof recipe === 'object' ? (recipe as Record<string, unknown>)[key] : undefined;
    return Array.isArray(inner) ? inner : null;
  };
  const steps = Array.isArray(recipe) ? recipe : (listed('steps') ?? listed('recipe') ?? [recipe]);
  return steps
    .map((step) => {
      if (typeof step === 'string') return step;
      if (!step || typeof step !== 'object') return String(step);
      const { method, options } = step as { method?: unknown; options?: unknown };
      const name = typeof method === 'string' ? method : JSON.stringify(step);
      if (!options || typeof options !== 'object' || Object.keys(options).length === 0) return name;
      const args = Object.entries(options as Record<string, unknown>)
        .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
        .join(', ');
      return `${name}(${args})`;
    })
    .join(' → ');
}
