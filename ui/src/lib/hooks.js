import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';

/**
 * GET path (skipped while path is null) → {data, error, loading, reload}.
 * A newer request replaces an older one's result. A reload keeps the old
 * data on screen until the new one arrives; so does a change of path or
 * query with keepPrevious (search results while the next query runs), and
 * without it the data is null until the new resource arrives.
 */
export function useApi(path, query, { keepPrevious = false } = {}) {
  const key = path === null ? null : path + '?' + JSON.stringify(query || {});
  const [state, setState] = useState({ data: null, error: null, loading: path !== null });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  const lastKey = useRef(key);
  // Another resource: never show the previous one's data while loading.
  const stale = !keepPrevious && lastKey.current !== key;
  useEffect(() => {
    if (key === null) {
      setState({ data: null, error: null, loading: false });
      return undefined;
    }
    const sameKey = keepPrevious || lastKey.current === key;
    lastKey.current = key;
    const mine = ++seq.current;
    const ctl = new AbortController();
    setState((s) => ({ data: sameKey ? s.data : null, error: null, loading: true }));
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
  if (stale) return { data: null, error: null, loading: true, reload };
  return { ...state, reload };
}

export function useDebounced(value, ms) {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}
