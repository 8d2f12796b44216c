import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';

/**
 * GET path (skipped while path is null) → {data, error, loading, reload}.
 * A newer request replaces an older one's result; a reload keeps the old
 * data on screen until the new one arrives.
 */
export function useApi(path, query) {
  const key = path === null ? null : path + '?' + JSON.stringify(query || {});
  const [state, setState] = useState({ data: null, error: null, loading: path !== null });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    if (key === null) {
      setState({ data: null, error: null, loading: false });
      return undefined;
    }
    const mine = ++seq.current;
    const ctl = new AbortController();
    setState((s) => ({ data: s.data, error: null, loading: true, key }));
    api(path, { query, signal: ctl.signal }).then(
      (data) => mine === seq.current && setState({ data, error: null, loading: false }),
      (error) => {
        if (error && error.name === 'AbortError') return;
        if (mine === seq.current) setState({ data: null, error, loading: false });
      },
    );
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Runs an async action: {run, busy, error, result, reset}. */
export function useAction(fn) {
  const [state, setState] = useState({ busy: false, error: null, result: null });
  const run = useCallback(
    async (...args) => {
      setState({ busy: true, error: null, result: null });
      try {
        const result = await fn(...args);
        setState({ busy: false, error: null, result });
        return result;
      } catch (error) {
        setState({ busy: false, error, result: null });
        return undefined;
      }
    },
    [fn],
  );
  const reset = useCallback(() => setState({ busy: false, error: null, result: null }), []);
  return { ...state, run, reset };
}

export function useDebounced(value, ms) {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}
