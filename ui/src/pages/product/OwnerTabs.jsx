import { useApi } from '../../lib/hooks.js';
import { fmtDateTime, fmtNumber } from '../../lib/format.js';
import { Async, Cell, Empty } from '../../components.jsx';

/** The rows the latest publish quarantined, with the rules they broke (owners). */
export function QuarantineTab({ id }) {
  const state = useApi(`/products/${encodeURIComponent(id)}/quarantine`, { limit: 200 });
  return (
    <Async state={state} label="Loading quarantined rows…" testid="quarantine">
      {(q) => {
        const cols = q.columns || [];
        if (!q.publishId) return <Empty testid="quarantine-empty">No publish has quarantined a row.</Empty>;
        return (
          <>
            <p data-testid="quarantine-summary">
              Publish <code class="small">{q.publishId}</code> quarantined {fmtNumber(q.rowsQuarantined)} rows
              {q.rows && q.rows.length < q.rowsQuarantined ? `; the first ${fmtNumber(q.rows.length)} are shown` : ''}. They are the input
              as it came, unmasked: only the product's owners see them.
            </p>
            <div class="table-wrap">
              <table class="table table-data" data-testid="quarantine-table">
                <thead>
                  <tr>
                    {cols.map((c) => (
                      <th key={c}>{c}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {(q.rows || []).map((r, i) => (
                    <tr key={i}>
                      {cols.map((c) => (
                        <td key={c} class={c === 'reasons' ? 'desc' : ''}>
                          <Cell value={r[c]} />
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        );
      }}
    </Async>
  );
}

/** The product's audit trail: applies, publishes, grants, rollbacks (owners, stewards, admins). */
export function AuditTab({ id }) {
  const state = useApi(`/products/${encodeURIComponent(id)}/audit`, { limit: 200 });
  return (
    <Async state={state} label="Loading the audit trail…" testid="audit" isEmpty={(a) => !a.length} empty="Nothing recorded yet.">
      {(events) => (
        <div class="table-wrap">
          <table class="table" data-testid="audit-table">
            <thead>
              <tr>
                <th>Time</th>
                <th>Actor</th>
                <th>Action</th>
                <th>Object</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id} data-testid={`audit-${e.action}`}>
                  <td>{fmtDateTime(e.time)}</td>
                  <td>{e.actor}</td>
                  <td>
                    <code class="small">{e.action}</code>
                  </td>
                  <td class="small">{e.object}</td>
                  <td class="desc">{e.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Async>
  );
}
