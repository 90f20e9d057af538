import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import { describeError } from '../api/errors';

export interface AsyncState<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
  setData: (data: T) => void;
}

/** Loads data when the dependencies change; answers that arrive after a newer request are dropped. */
export function useAsync<T>(loader: () => Promise<T>, deps: DependencyList): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);

  useEffect(() => {
    const request = ++latest.current;
    setLoading(true);
    loader().then(
      (value) => {
        if (request !== latest.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (request !== latest.current) return;
        setError(describeError(e));
        setLoading(false);
      },
    );
    return () => {
      // a newer effect run or unmount makes this answer stale
      latest.current++;
    };
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, loading, reload, setData };
}

/**
 * Runs `tick` now and then `intervalMs` after each run finishes (never overlapping) while `enabled`.
 * Errors go to the returned state; polling carries on.
 */
export function usePolling(tick: () => Promise<void>, intervalMs: number, enabled: boolean, deps: DependencyList): string | null {
  const [error, setError] = useState<string | null>(null);
  const tickRef = useRef(tick);
  tickRef.current = tick;

  useEffect(() => {
    if (!enabled) return undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        await tickRef.current();
        if (!stopped) setError(null);
      } catch (e) {
        if (!stopped) setError(describeError(e));
      }
      if (!stopped) timer = setTimeout(run, intervalMs);
    };
    void run();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [enabled, intervalMs, ...deps]);

  return error;
}

/** A rolling window of samples for live charts. */
export function appendSample<T>(series: T[], sample: T, limit = 60): T[] {
  const next = [...series, sample];
  return next.length > limit ? next.slice(next.length - limit) : next;
}
