import { useEffect, useRef, useState } from 'preact/hooks';
import { streamQuery } from '../lib/api.js';
import { fmtNumber } from '../lib/format.js';
import { Cell, Empty, ErrorBanner, Notice } from '../components.jsx';

const SHOWN = 2000; // rows kept on screen; the rest are counted
const HISTORY_KEY = 'weft.sql.history';

const EXAMPLE = 'SELECT *\nFROM sales.orders\nLIMIT 20';

function loadHistory() {
  try {
    return JSON.parse(sessionStorage.getItem(HISTORY_KEY) || '[]');
  } catch {
    return [];
  }
}

function UsageLine({ usage }) {
  if (!usage || typeof usage !== 'object') return null;
  const parts = Object.entries(usage)
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .map(([k, v]) => `${k} ${typeof v === 'number' ? (Math.abs(v) < 0.01 && v !== 0 ? v.toPrecision(2) : fmtNumber(v)) : v}`);
  return parts.length ? <span class="muted"> · {parts.join(' · ')}</span> : null;
}

export function Console({ route }) {
  const initial = route.params.get('sql');
  const [sql, setSql] = useState(initial || (loadHistory()[0] ?? EXAMPLE));
  const [at, setAt] = useState('');
  const [columns, setColumns] = useState(null);
  const [rows, setRows] = useState([]);
  const [count, setCount] = useState(0);
  const [done, setDone] = useState(null);
  const [error, setError] = useState(null);
  const [running, setRunning] = useState(false);
  const [elapsed, setElapsed] = useState(null);
  const [history, setHistory] = useState(loadHistory);
  const ctl = useRef(null);
  const buffer = useRef([]);
  const frame = useRef(0);
  const total = useRef(0);

  useEffect(() => {
    if (initial) setSql(initial);
  }, [initial]);
  useEffect(() => () => ctl.current && ctl.current.abort(), []);

  const flush = () => {
    frame.current = 0;
    const add = buffer.current;
    buffer.current = [];
    setRows((r) => (r.length >= SHOWN ? r : r.concat(add.slice(0, SHOWN - r.length))));
    setCount(total.current);
  };

  const run = async () => {
    const text = sql.trim();
    if (!text || running) return;
    if (ctl.current) ctl.current.abort();
    const mine = new AbortController();
    ctl.current = mine;
    setColumns(null);
    setRows([]);
    setCount(0);
    setDone(null);
    setError(null);
    setRunning(true);
    buffer.current = [];
    total.current = 0;
    const started = performance.now();
    const next = [text, ...history.filter((h) => h !== text)].slice(0, 10);
    setHistory(next);
    try {
      sessionStorage.setItem(HISTORY_KEY, JSON.stringify(next));
    } catch {
      /* ignore */
    }
    try {
      const result = await streamQuery(
        { sql: text, at: at.trim() || undefined },
        {
          signal: mine.signal,
          onColumns: (c) => setColumns(c),
          onRows: (batch) => {
            total.current += batch.length;
            buffer.current.push(...batch);
            if (!frame.current) frame.current = requestAnimationFrame(flush);
          },
        },
      );
      setDone(result);
    } catch (err) {
      if (err && err.name === 'AbortError') setError({ title: 'Cancelled', detail: 'The query was cancelled; the rows shown are those that had arrived.' });
      else setError(err);
    } finally {
      if (frame.current) cancelAnimationFrame(frame.current);
      flush();
      setElapsed(performance.now() - started);
      if (ctl.current === mine) ctl.current = null;
      setRunning(false);
    }
  };

  const warnings = (done && done.warnings) || [];
  return (
    <div class="page console">
      <h1>SQL console</h1>
      <p class="hint">
        One governed <code>SELECT</code> over <code>domain.product</code> names. Your grants apply: masked columns come back masked, row filters
        apply, and products you have no grant on are refused. <kbd>Ctrl</kbd>+<kbd>Enter</kbd> runs.
      </p>
      <form
        class="sql-form"
        onSubmit={(e) => {
          e.preventDefault();
          run();
        }}
      >
        <textarea
          class="sql"
          rows={7}
          spellcheck={false}
          aria-label="SQL"
          data-testid="sql-input"
          value={sql}
          onInput={(e) => setSql(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              run();
            }
          }}
        />
        <div class="sql-bar">
          <button type="submit" class="btn btn-primary" disabled={running || !sql.trim()} data-testid="sql-run">
            {running ? 'Running…' : 'Run'}
          </button>
          {running ? (
            <button type="button" class="btn" onClick={() => ctl.current && ctl.current.abort()} data-testid="sql-cancel">
              Cancel
            </button>
          ) : null}
          <label class="inline">
            As of{' '}
            <input
              type="text"
              placeholder="snapshot id or ISO time (optional)"
              value={at}
              onInput={(e) => setAt(e.currentTarget.value)}
              data-testid="sql-at"
              size={30}
            />
          </label>
          {history.length > 1 ? (
            <label class="inline">
              Recent{' '}
              <select
                value=""
                onChange={(e) => {
                  if (e.currentTarget.value) setSql(e.currentTarget.value);
                }}
              >
                <option value="">…</option>
                {history.map((h) => (
                  <option key={h} value={h}>
                    {h.replace(/\s+/g, ' ').slice(0, 80)}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
        </div>
      </form>
      <ErrorBanner error={error} testid="sql-error">
        {error && error.partial ? <div class="small">The query failed after some rows had arrived; they are shown below.</div> : null}
      </ErrorBanner>
      {warnings.length ? (
        <div data-testid="sql-warnings">
          {warnings.map((w, i) => (
            <Notice key={i} kind="warn">
              {typeof w === 'string' ? w : w.detail || w.message || JSON.stringify(w)}
            </Notice>
          ))}
        </div>
      ) : null}
      {columns || done ? (
        <div class="results-summary" data-testid="sql-status" data-done={done ? 'true' : 'false'}>
          {running ? `${fmtNumber(count)} rows so far…` : `${fmtNumber(done && typeof done.rows === 'number' ? done.rows : count)} rows`}
          {count > SHOWN ? ` (first ${fmtNumber(SHOWN)} shown)` : ''}
          {elapsed !== null && !running ? ` in ${(elapsed / 1000).toFixed(2)} s` : ''}
          {done ? <UsageLine usage={done.usage} /> : null}
        </div>
      ) : null}
      {columns ? (
        rows.length ? (
          <div class="table-wrap results-wrap">
            <table class="table table-data" data-testid="results-table">
              <thead>
                <tr>
                  {columns.map((c, i) => (
                    <th key={i}>{c}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((r, i) => (
                  <tr key={i}>
                    {columns.map((_, j) => (
                      <td key={j}>
                        <Cell value={r[j]} />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : !running ? (
          <Empty testid="results-empty">The query returned no rows.</Empty>
        ) : null
      ) : null}
    </div>
  );
}
