import { useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { useApi } from '../lib/hooks.js';
import { href } from '../lib/router.js';
import { fmtDateTime, fmtDuration, fmtPercent } from '../lib/format.js';
import { Async, Badge, ErrorBanner, Section } from '../components.jsx';

const STATUSES = [
  ['unresolved', 'Open or acknowledged'],
  ['open', 'Open'],
  ['acknowledged', 'Acknowledged'],
  ['resolved', 'Resolved'],
  ['', 'All'],
];

function sevKind(sev) {
  return sev === 'critical' || sev === 'error' ? 'bad' : sev === 'warning' ? 'warn' : 'info';
}

function statusKind(status) {
  return status === 'open' ? 'bad' : status === 'acknowledged' ? 'warn' : 'good';
}

/** An incident's timeline and what the product's owners may do with it. */
function IncidentDetail({ id, onChanged }) {
  const state = useApi(`/incidents/${id}`);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const act = async (verb, extra = {}) => {
    setBusy(true);
    setError(null);
    try {
      await api(`/incidents/${id}/${verb}`, { method: 'POST', body: { note, ...extra } });
      setNote('');
      state.reload();
      onChanged();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  return (
    <Async state={state} label="Loading the timeline…" testid={`incident-${id}`}>
      {(i) => (
        <div class="card" data-testid={`incident-detail-${id}`}>
          <p>
            <strong>{i.title}</strong> — {i.detail}
          </p>
          <ol class="timeline" data-testid="incident-timeline">
            {(i.timeline || []).map((e, n) => (
              <li key={n}>
                <span class="muted">{fmtDateTime(e.at)}</span> <strong>{e.kind}</strong> by {e.actor}
                {e.message ? <>: {e.message}</> : null}
              </li>
            ))}
          </ol>
          <ErrorBanner error={error} testid="incident-action-error" />
          {i.status !== 'resolved' ? (
            <div class="form-actions">
              <input
                type="text"
                placeholder="A note (optional)"
                aria-label="Note"
                value={note}
                onInput={(e) => setNote(e.currentTarget.value)}
                data-testid="incident-note"
              />
              {i.status === 'open' ? (
                <button class="btn" type="button" disabled={busy} onClick={() => act('ack')} data-testid="incident-ack">
                  Acknowledge
                </button>
              ) : null}
              <button class="btn btn-primary" type="button" disabled={busy} onClick={() => act('resolve')} data-testid="incident-resolve">
                Resolve
              </button>
              {i.kind === 'anomaly' ? (
                <button class="btn" type="button" disabled={busy} onClick={() => act('resolve', { falsePositive: true })}>
                  Not an anomaly
                </button>
              ) : null}
            </div>
          ) : null}
        </div>
      )}
    </Async>
  );
}

/** Incidents, newest first, of one product or of every product. */
export function IncidentList({ product }) {
  const [status, setStatus] = useState('unresolved');
  const [open, setOpen] = useState(null);
  const state = useApi('/incidents', { product: product || '', status }, { keepPrevious: true });
  return (
    <>
      <label class="inline">
        Show{' '}
        <select value={status} onChange={(e) => setStatus(e.currentTarget.value)} data-testid="incident-status-filter">
          {STATUSES.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <Async
        state={state}
        label="Loading incidents…"
        testid="incidents"
        isEmpty={(d) => !(d.incidents || []).length}
        empty={
          status === 'unresolved'
            ? 'No open incidents: every SLA is met and the latest publishes went through.'
            : 'No incidents with this status.'
        }
      >
        {(d) => (
          <table class="table" data-testid="incidents-table">
            <thead>
              <tr>
                <th>#</th>
                <th>Status</th>
                <th>Severity</th>
                {product ? null : <th>Product</th>}
                <th>What</th>
                <th>Opened</th>
                <th>Assignee</th>
              </tr>
            </thead>
            <tbody>
              {d.incidents.map((i) => [
                <tr key={i.id} data-testid={`incident-row-${i.id}`}>
                  <td>
                    <button class="btn btn-ghost" type="button" aria-expanded={open === i.id} onClick={() => setOpen(open === i.id ? null : i.id)}>
                      {i.id}
                    </button>
                  </td>
                  <td>
                    <Badge kind={statusKind(i.status)}>{i.status}</Badge>
                  </td>
                  <td>
                    <Badge kind={sevKind(i.severity)}>{i.severity}</Badge>
                  </td>
                  {product ? null : (
                    <td>
                      <a href={href(`/product/${i.product}`, { tab: 'incidents' })}>{i.product}</a>
                    </td>
                  )}
                  <td>{i.title}</td>
                  <td>{fmtDateTime(i.openedAt)}</td>
                  <td>{i.assignee || '—'}</td>
                </tr>,
                open === i.id ? (
                  <tr key={`${i.id}-detail`}>
                    <td colSpan={product ? 6 : 7}>
                      <IncidentDetail id={i.id} onChanged={state.reload} />
                    </td>
                  </tr>
                ) : null,
              ])}
            </tbody>
          </table>
        )}
      </Async>
    </>
  );
}

function figure(v, unit) {
  if (v === null || v === undefined) return '—';
  return unit === 'seconds' ? fmtDuration(v) : fmtPercent(Number(v) / 100);
}

/** The product's SLAs as judged when the page was loaded. */
export function SlaTable({ sla }) {
  if (!sla || !sla.length) return <p class="muted">The contract declares no SLA weft measures.</p>;
  return (
    <table class="table" data-testid="sla-table">
      <thead>
        <tr>
          <th>SLA</th>
          <th>State</th>
          <th>Target</th>
          <th>Now</th>
          <th>Detail</th>
        </tr>
      </thead>
      <tbody>
        {sla.map((r) => (
          <tr key={r.id || r.property}>
            <td>{r.property}</td>
            <td>
              <Badge kind={r.state === 'met' ? 'good' : r.state === 'breached' ? 'bad' : 'neutral'}>{r.state}</Badge>
            </td>
            <td>{figure(r.target, r.unit)}</td>
            <td>{figure(r.actual, r.unit)}</td>
            <td>{r.detail}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Incidents() {
  return (
    <div class="page" data-testid="incidents-page">
      <h1>Incidents</h1>
      <p class="muted">
        Opened by the monitor when an SLA is breached, a publish or run is refused or fails, error rules fail, or volume
        or freshness look anomalous; resolved when the condition clears. A product's owners acknowledge and resolve them.
      </p>
      <Section title="Incidents">
        <IncidentList />
      </Section>
    </div>
  );
}
