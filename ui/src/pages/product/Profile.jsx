import { useApi } from '../../lib/hooks.js';
import { fmtDateTime, fmtNumber } from '../../lib/format.js';
import { Async, Badge, Empty } from '../../components.jsx';

const WITHHELD = {
  values: 'min, max and top values withheld: you see this column masked or row-filtered',
  all: 'withheld: your grants do not let you read this column',
};

function pct(part, whole) {
  if (!whole) return '—';
  return `${((part / whole) * 100).toFixed(1)}%`;
}

/** Column profiles of the current snapshot, as the server lets this caller see them. */
export function ColumnProfiles({ id }) {
  const state = useApi(`/products/${encodeURIComponent(id)}/profile`);
  return (
    <Async state={state} label="Loading column profiles…" testid="profile">
      {(p) => {
        const cols = p.columns || [];
        if (!cols.length)
          return <Empty testid="profile-empty">{p.snapshot ? 'This snapshot was published before weft kept column profiles.' : 'Nothing published yet.'}</Empty>;
        return (
          <>
            <div class="table-wrap">
              <table class="table" data-testid="profile-table">
                <thead>
                  <tr>
                    <th>Column</th>
                    <th>Type</th>
                    <th class="num">Nulls</th>
                    <th class="num">Distinct (est.)</th>
                    <th>Min</th>
                    <th>Max</th>
                    <th>Top values</th>
                  </tr>
                </thead>
                <tbody>
                  {cols.map((c) => {
                    const s = c.stats || {};
                    const note = WITHHELD[c.withheld];
                    return (
                      <tr key={c.name} data-testid={`profile-row-${c.name}`} data-withheld={c.withheld || ''}>
                        <td>
                          <code>{c.name}</code> {c.access !== 'clear' ? <Badge value={c.access} kind={c.access === 'hidden' ? 'muted' : 'warn'} /> : null}
                        </td>
                        <td>{c.type}</td>
                        <td class="num">{s.rows !== undefined ? pct(s.nulls || 0, s.rows) : '—'}</td>
                        <td class="num">{s.distinct !== undefined ? fmtNumber(s.distinct) : '—'}</td>
                        {c.withheld ? (
                          <td colSpan={3} class="muted small" data-testid={`profile-withheld-${c.name}`}>
                            {note}
                          </td>
                        ) : (
                          <>
                            <td data-testid={`profile-min-${c.name}`}>{s.min ?? <span class="muted">—</span>}</td>
                            <td>{s.max ?? <span class="muted">—</span>}</td>
                            <td class="small">{(s.top || []).join(', ')}</td>
                          </>
                        )}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <p class="hint">
              Computed when snapshot <code class="small">{p.snapshot}</code> was published ({fmtDateTime(p.computedAt)}). Values are shown
              only for columns you read in clear over every row.
            </p>
          </>
        );
      }}
    </Async>
  );
}
