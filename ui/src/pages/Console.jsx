import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { downloadQuery, streamQuery } from '../lib/api.js';
import { useApi } from '../lib/hooks.js';
import { fmtBytes, fmtMoney, fmtNumber, fmtSeconds } from '../lib/format.js';
import { Badge, Cell, Empty, ErrorBanner, Notice } from '../components.jsx';

const LIMIT = 1000; // rows fetched by default: the query is stopped after them
const SHOWN = 10000; // rows kept on screen when every row is fetched; the rest are counted
const HISTORY_KEY = 'weft.sql.history';

const EXAMPLE = 'SELECT *\nFROM sales.orders\nLIMIT 20';

function loadHistory() {
  try {
    return JSON.parse(sessionStorage.getItem(HISTORY_KEY) || '[]');
  } catch {
    return [];
  }
}

// The done line's usage, in words: what the query read and what it cost.
const USAGE_PARTS = [
  ['bytesScanned', (v) => `${fmtBytes(v)} scanned`],
  ['rowsScanned', (v) => `${fmtNumber(v)} rows scanned`],
  ['cpuSeconds', (v) => `${fmtSeconds(v)} CPU`],
  ['cost', (v) => `cost ${fmtMoney(v)}`],
];

function UsageLine({ usage }) {
  if (!usage || typeof usage !== 'object') return null;
  const parts = USAGE_PARTS.filter(([k]) => typeof usage[k] === 'number').map(([k, f]) => f(usage[k]));
  return parts.length ? <span class="muted" data-testid="sql-usage"> · {parts.join(' · ')}</span> : null;
}

/** The schema browser: what the caller may read, from GET /query/schema. */
function SchemaBrowser({ schema, onPick }) {
  if (schema.error) return <ErrorBanner error={schema.error} testid="schema-error" />;
  const relations = (schema.data && schema.data.relations) || [];
  return (
    <nav class="schema" aria-label="Products you may query" data-testid="schema-browser">
      <h2 class="schema-title">Products you may query</h2>
      {schema.data && !relations.length ? <Empty testid="schema-empty">No product is readable for you yet: request access on its page.</Empty> : null}
      <ul class="plain">
        {relations.map((r) => (
          <li key={r.address}>
            <details data-testid={`schema-${r.address}`}>
              <summary>
                <code>{r.newest ? r.product : r.address}</code>
                {r.status !== 'active' ? <Badge value={r.status} /> : null}
                {r.rowFilter ? (
                  <Badge kind="info" title="A row filter limits the rows you read">
                    filtered
                  </Badge>
                ) : null}
              </summary>
              <button type="button" class="btn-link small" onClick={() => onPick(r.newest ? r.product : r.address)}>
                insert <code>{r.newest ? r.product : r.address}</code>
              </button>
              {r.newest ? <div class="small muted">also {r.address}</div> : null}
              <ul class="plain schema-columns">
                {r.columns.map((c) => (
                  <li key={c.name} data-testid={`schema-column-${c.name}`}>
                    <button type="button" class="btn-link" onClick={() => onPick(c.name)} title={`Insert ${c.name}`}>
                      {c.name}
                    </button>{' '}
                    <span class="muted small">{c.type}</span>{' '}
                    {c.mask !== 'clear' ? (
                      <Badge kind="warn" title="You read this column masked">
                        {`masked: ${c.mask}`}
                      </Badge>
                    ) : null}
                  </li>
                ))}
              </ul>
            </details>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The identifier (letters, digits, _ and .) that ends at `pos` in `text`. */
function wordAt(text, pos) {
  const m = /[A-Za-z_][A-Za-z0-9_.]*$/.exec(text.slice(0, pos));
  return m ? { start: pos - m[0].length, word: m[0] } : null;
}

/**
 * Completion candidates for the word being typed: product names, and the
 * columns of the products the SQL names (of every readable product while it
 * names none), all from the schema the caller may read.
 */
function suggest(relations, sql, word) {
  if (!word || word.length < 2) return [];
  const lower = word.toLowerCase();
  const names = new Set();
  const named = relations.filter((r) => sql.includes(r.product));
  for (const r of relations) {
    if (r.newest) names.add(r.product);
    names.add(r.address);
  }
  for (const r of named.length ? named : relations) for (const c of r.columns) names.add(c.name);
  return [...names].filter((n) => n.toLowerCase().startsWith(lower) && n.toLowerCase() !== lower).slice(0, 8);
}

function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
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
  const [truncated, setTruncated] = useState(false);
  const [downloading, setDownloading] = useState('');
  const [downloadError, setDownloadError] = useState(null);
  const [cursor, setCursor] = useState(0);
  const [active, setActive] = useState(0);
  const [completing, setCompleting] = useState(false);
  const ctl = useRef(null);
  const buffer = useRef([]);
  const frame = useRef(0);
  const total = useRef(0);
  const limited = useRef(false); // the running query stops after LIMIT rows
  const cut = useRef(false); // it was stopped there, not cancelled
  const editor = useRef(null);
  const schema = useApi('/query/schema');
  const relations = (schema.data && schema.data.relations) || [];
  const typed = wordAt(sql, cursor);
  const options = useMemo(() => (completing && typed ? suggest(relations, sql, typed.word) : []), [completing, typed && typed.word, relations, sql]);

  // Puts `text` in place of the word being typed (or at the cursor).
  const insert = (text, replace = null) => {
    const el = editor.current;
    const pos = el ? el.selectionStart : sql.length;
    const from = replace ? replace.start : pos;
    const next = sql.slice(0, from) + text + sql.slice(pos);
    setSql(next);
    setCompleting(false);
    const at = from + text.length;
    setCursor(at);
    requestAnimationFrame(() => {
      if (!editor.current) return;
      editor.current.focus();
      editor.current.setSelectionRange(at, at);
    });
  };

  useEffect(() => {
    if (initial) setSql(initial);
  }, [initial]);
  useEffect(() => () => ctl.current && ctl.current.abort(), []);

  const flush = () => {
    frame.current = 0;
    const add = buffer.current;
    buffer.current = [];
    const keep = limited.current ? LIMIT : SHOWN;
    setRows((r) => (r.length >= keep ? r : r.concat(add.slice(0, keep - r.length))));
    setCount(Math.min(total.current, limited.current ? LIMIT : Infinity));
  };

  const download = async (format) => {
    const text = sql.trim();
    if (!text || downloading) return;
    setDownloading(format);
    setDownloadError(null);
    try {
      saveBlob(await downloadQuery({ sql: text, at: at.trim() || undefined }, format), `query.${format}`);
    } catch (err) {
      setDownloadError(err);
    } finally {
      setDownloading('');
    }
  };

  const run = async (all = false) => {
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
    limited.current = !all;
    cut.current = false;
    setTruncated(false);
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
            // One row past the limit says there are more: stop the query there.
            if (limited.current && total.current > LIMIT && !cut.current) {
              cut.current = true;
              mine.abort();
            }
          },
        },
      );
      setDone(result);
    } catch (err) {
      if (err && err.name === 'AbortError' && cut.current) setTruncated(true);
      else if (err && err.name === 'AbortError') setError({ title: 'Cancelled', detail: 'The query was cancelled; the rows shown are those that had arrived.' });
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
        apply, and products you have no grant on are refused. <kbd>Ctrl</kbd>+<kbd>Enter</kbd> runs; names complete as you type (<kbd>Tab</kbd>{' '}
        takes one). The first {fmtNumber(LIMIT)} rows are shown; downloads hold every row.
      </p>
      <div class="console-grid">
        <SchemaBrowser schema={schema} onPick={(t) => insert(t)} />
        <div class="console-main">
          <form
            class="sql-form"
            onSubmit={(e) => {
              e.preventDefault();
              run();
            }}
          >
            <div class="sql-editor">
              <textarea
                ref={editor}
                class="sql"
                rows={7}
                spellcheck={false}
                aria-label="SQL"
                aria-autocomplete="list"
                aria-controls={options.length ? 'sql-completions' : undefined}
                aria-activedescendant={options.length ? `sql-completion-${active}` : undefined}
                data-testid="sql-input"
                value={sql}
                onInput={(e) => {
                  setSql(e.currentTarget.value);
                  setCursor(e.currentTarget.selectionStart);
                  setCompleting(true);
                  setActive(0);
                }}
                onClick={(e) => setCursor(e.currentTarget.selectionStart)}
                onBlur={() => setTimeout(() => setCompleting(false), 150)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                    e.preventDefault();
                    run();
                    return;
                  }
                  if (!options.length) return;
                  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                    e.preventDefault();
                    setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length);
                  } else if (e.key === 'Enter' || e.key === 'Tab') {
                    e.preventDefault();
                    insert(options[Math.min(active, options.length - 1)], typed);
                  } else if (e.key === 'Escape') {
                    setCompleting(false);
                  }
                }}
              />
              {options.length ? (
                <ul class="completions" id="sql-completions" role="listbox" aria-label="Completions" data-testid="sql-completions">
                  {options.map((o, i) => (
                    <li
                      key={o}
                      id={`sql-completion-${i}`}
                      role="option"
                      aria-selected={i === active ? 'true' : 'false'}
                      class={i === active ? 'on' : ''}
                      data-testid={`sql-completion-${o}`}
                      onMouseDown={(e) => {
                        e.preventDefault();
                        insert(o, typed);
                      }}
                    >
                      {o}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
            <div class="sql-bar">
              <button type="submit" class="btn btn-primary" disabled={running || !sql.trim()} data-testid="sql-run">
                {running ? 'Running…' : 'Run'}
              </button>
              <button type="button" class="btn" disabled={!!downloading || !sql.trim()} onClick={() => download('csv')} data-testid="sql-download-csv">
                {downloading === 'csv' ? 'Preparing CSV…' : 'Download CSV'}
              </button>
              <button type="button" class="btn" disabled={!!downloading || !sql.trim()} onClick={() => download('parquet')} data-testid="sql-download-parquet">
                {downloading === 'parquet' ? 'Preparing Parquet…' : 'Download Parquet'}
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
          <ErrorBanner error={downloadError} testid="sql-download-error" onDismiss={() => setDownloadError(null)} />
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
              {elapsed !== null && !running ? ` in ${fmtSeconds(elapsed / 1000)}` : ''}
              {done ? <UsageLine usage={done.usage} /> : null}
            </div>
          ) : null}
          {truncated ? (
            <Notice kind="info" testid="sql-limit-note">
              The first {fmtNumber(LIMIT)} rows are shown; the query has more and was stopped there.{' '}
              <button type="button" class="btn-link" onClick={() => run(true)} data-testid="sql-fetch-all">
                Fetch all rows
              </button>{' '}
              or download the whole result as{' '}
              <button type="button" class="btn-link" onClick={() => download('csv')}>
                CSV
              </button>{' '}
              or{' '}
              <button type="button" class="btn-link" onClick={() => download('parquet')}>
                Parquet
              </button>
              .
            </Notice>
          ) : null}
          {columns ? (
            rows.length ? (
              <div class="table-wrap results-wrap" tabIndex={0}>
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
      </div>
    </div>
  );
}
