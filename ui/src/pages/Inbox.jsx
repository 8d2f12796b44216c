import { useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { useApi } from '../lib/hooks.js';
import { hasRole, ownsDomain, useMe } from '../lib/me.js';
import { href, productHref } from '../lib/router.js';
import { fmtDate, fmtDateTime } from '../lib/format.js';
import { Async, Badge, ErrorBanner, Notice, uiWording } from '../components.jsx';

/** /access/requests answers like `weft access list -o json`: {requests, grants}, or a bare array. */
export function requestsOf(data) {
  if (Array.isArray(data)) return data;
  return (data && (data.requests || data.items)) || [];
}
export function grantsOf(data) {
  if (Array.isArray(data)) return data;
  return (data && (data.grants || data.items)) || [];
}

function Columns({ columns }) {
  return Array.isArray(columns) && columns.length ? (
    <span>{columns.join(', ')}</span>
  ) : (
    <span class="muted">all columns</span>
  );
}

function PendingRow({ r, onDecided }) {
  const [rowFilter, setRowFilter] = useState('');
  const [columns, setColumns] = useState(Array.isArray(r.columns) ? r.columns.join(', ') : '');
  const [reason, setReason] = useState('');
  const [clearances, setClearances] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  const decide = async (verb) => {
    setError(null);
    if (verb === 'deny' && !reason.trim()) {
      setError({ title: 'Reason required', detail: 'Say why you deny the request; the requester sees it.' });
      return;
    }
    const body = {};
    if (reason.trim()) body.reason = reason.trim();
    if (verb === 'approve') {
      if (rowFilter.trim()) body.rowFilter = rowFilter.trim();
      const cols = columns
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean);
      if (cols.length) body.columns = cols;
      const lift = clearances
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean);
      if (lift.length) body.clearances = lift;
    }
    setBusy(true);
    const send = () => api(`/access/requests/${encodeURIComponent(r.id)}/${verb}`, { method: 'POST', body });
    try {
      onDecided(r, verb, await send());
    } catch (err) {
      // An approval that would widen a filtered or column-limited grant the
      // requester holds is refused until the approver confirms it.
      const widens = verb === 'approve' && err && err.status === 409 && /would widen access/.test(err.detail || '');
      if (widens) {
        const what = (err.detail || '').split('. Approve with')[0];
        if (window.confirm(`${what}.\n\nApprove anyway, widening what the requester reads?`)) {
          body.widen = true;
          try {
            onDecided(r, verb, await send());
            return;
          } catch (again) {
            err = again;
          }
        }
      }
      setError(err);
      setBusy(false);
    }
  };

  return (
    <li class="card inbox-row" data-testid={`inbox-row-${r.id}`}>
      <div class="inbox-head">
        <span class="inbox-id">#{r.id}</span>
        <a href={productHref(r.product)} class="inbox-product">
          {r.product}
        </a>
        {r.major ? <span class="muted">v{r.major}</span> : null}
        <Badge value={r.status || 'pending'} />
        <span class="muted small">{fmtDateTime(r.createdAt)}</span>
      </div>
      <dl class="kv kv-inline">
        <dt>Requester</dt>
        <dd data-testid={`inbox-requester-${r.id}`}>{r.grantee || r.principal}</dd>
        {r.principal && r.grantee && r.principal !== r.grantee ? (
          <>
            <dt>Asked by</dt>
            <dd>{r.principal}</dd>
          </>
        ) : null}
        <dt>Columns</dt>
        <dd>
          <Columns columns={r.columns} />
        </dd>
        <dt>Purpose</dt>
        <dd>{r.purpose}</dd>
        <dt>Until</dt>
        <dd>{r.until || r.expiresAt ? fmtDate(r.until || r.expiresAt) : <span class="muted">no end</span>}</dd>
        {Array.isArray(r.existingGrants) ? (
          <>
            <dt>Holds now</dt>
            <dd data-testid={`holds-${r.id}`}>
              {r.existingGrants.length
                ? r.existingGrants
                    .map((g) => `grant ${g.id}: ${g.columns && g.columns.length ? g.columns.join(', ') : 'all columns'}${g.rowFilter ? `, rows where ${g.rowFilter}` : ', all rows'}`)
                    .join('; ')
                : 'nothing on this version'}
            </dd>
          </>
        ) : null}
        {r.widens ? (
          <>
            <dt>If approved as asked</dt>
            <dd class="warn" data-testid={`widens-${r.id}`}>{r.widens}</dd>
          </>
        ) : null}
      </dl>
      <ErrorBanner error={error} testid={`inbox-error-${r.id}`} />
      <div class="decide">
        <label>
          Row filter <span class="muted">(optional)</span>
          <input
            type="text"
            spellcheck={false}
            placeholder="country = $principal.region"
            value={rowFilter}
            onInput={(e) => setRowFilter(e.currentTarget.value)}
            data-testid={`row-filter-${r.id}`}
          />
        </label>
        <label>
          Columns <span class="muted">(empty: as asked)</span>
          <input type="text" spellcheck={false} value={columns} onInput={(e) => setColumns(e.currentTarget.value)} data-testid={`grant-columns-${r.id}`} />
        </label>
        <label>
          Lift masks of <span class="muted">(e.g. pii)</span>
          <input type="text" spellcheck={false} value={clearances} onInput={(e) => setClearances(e.currentTarget.value)} data-testid={`clearances-${r.id}`} />
        </label>
        <label>
          Reason <span class="muted">(needed to deny)</span>
          <input type="text" value={reason} onInput={(e) => setReason(e.currentTarget.value)} data-testid={`reason-${r.id}`} />
        </label>
        <div class="form-actions">
          <button type="button" class="btn btn-primary" disabled={busy} onClick={() => decide('approve')} data-testid={`approve-${r.id}`}>
            Approve
          </button>
          <button type="button" class="btn btn-danger" disabled={busy} onClick={() => decide('deny')} data-testid={`deny-${r.id}`}>
            Deny
          </button>
        </div>
      </div>
    </li>
  );
}

function Pending() {
  const state = useApi('/access/requests', { scope: 'pending' });
  const [decided, setDecided] = useState([]);
  const onDecided = (r, verb, res) => {
    setDecided((d) => [{ id: r.id, product: r.product, who: r.grantee || r.principal, verb, grant: res && (res.grant ?? res.id) }, ...d]);
    state.reload();
  };
  const rows = requestsOf(state.data).filter((r) => !r.status || r.status === 'pending');
  return (
    <>
      {decided.map((d) => (
        <Notice key={d.id} kind={d.verb === 'approve' ? 'ok' : 'warn'} testid={`decided-${d.id}`}>
          Request #{d.id} of {d.who} on {d.product} {d.verb === 'approve' ? 'approved' : 'denied'}
          {d.verb === 'approve' && d.grant ? ` (grant ${typeof d.grant === 'object' ? d.grant.id ?? '' : d.grant})` : ''}.
        </Notice>
      ))}
      <Async state={state} label="Loading pending requests…" testid="inbox" isEmpty={() => !rows.length} empty="No request waits for your decision.">
        {() => (
          <ul class="plain inbox" data-testid="inbox">
            {rows.map((r) => (
              <PendingRow key={r.id} r={r} onDecided={onDecided} />
            ))}
          </ul>
        )}
      </Async>
    </>
  );
}

function Mine() {
  const state = useApi('/access/requests', { scope: 'mine' });
  return (
    <Async state={state} label="Loading your requests…" testid="my-requests" isEmpty={(d) => !requestsOf(d).length} empty="You have not asked for access yet. Find a product in the marketplace and request access there.">
      {(d) => (
        <table class="table" data-testid="my-requests">
          <thead>
            <tr>
              <th>#</th>
              <th>Product</th>
              <th>Columns</th>
              <th>Purpose</th>
              <th>Asked</th>
              <th>Status</th>
              <th>Decided by</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {requestsOf(d).map((r) => (
              <tr key={r.id} data-testid={`my-request-${r.id}`}>
                <td>{r.id}</td>
                <td>
                  <a href={productHref(r.product)}>{r.product}</a>
                </td>
                <td>
                  <Columns columns={r.columns} />
                </td>
                <td>{r.purpose}</td>
                <td>{fmtDate(r.createdAt)}</td>
                <td>
                  <Badge value={r.status} testid={`my-request-status-${r.id}`} />
                </td>
                <td>{r.decidedBy || <span class="muted">—</span>}</td>
                <td>{r.reason || <span class="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Async>
  );
}

function RevokeButton({ g, onRevoked }) {
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      await api(`/grants/${encodeURIComponent(g.id)}`, { method: 'DELETE' });
      onRevoked(g);
    } catch (err) {
      setError(err);
      setBusy(false);
      setConfirm(false);
    }
  };
  return (
    <>
      {confirm ? (
        <>
          <button type="button" class="btn btn-danger btn-small" disabled={busy} onClick={revoke} data-testid={`revoke-confirm-${g.id}`}>
            Revoke grant {g.id}?
          </button>{' '}
          <button type="button" class="btn btn-small" onClick={() => setConfirm(false)}>
            Keep
          </button>
        </>
      ) : (
        <button type="button" class="btn btn-small" onClick={() => setConfirm(true)} data-testid={`revoke-${g.id}`}>
          Revoke
        </button>
      )}
      {error ? <div class="text-bad small">{uiWording(error.detail || error.title)}</div> : null}
    </>
  );
}

function Grants() {
  const me = useMe();
  const state = useApi('/grants');
  return (
    <Async state={state} label="Loading grants…" testid="grants" isEmpty={(d) => !grantsOf(d).length} empty="No grants you hold or decide on.">
      {(d) => (
        <table class="table" data-testid="grants">
          <thead>
            <tr>
              <th>#</th>
              <th>Product</th>
              <th>Grantee</th>
              <th>Columns</th>
              <th>Row filter</th>
              <th>Purpose</th>
              <th>Expires</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {grantsOf(d).map((g) => {
              const domain = String(g.product || '').split('.')[0];
              const mayRevoke = (g.state || 'active') === 'active' && (ownsDomain(me, domain) || g.grantedBy === me.principal || hasRole(me, 'steward'));
              return (
                <tr key={g.id} data-testid={`grant-${g.id}`}>
                  <td>{g.id}</td>
                  <td>
                    <a href={productHref(g.product)}>{g.product}</a>
                  </td>
                  <td>{g.grantee}</td>
                  <td>
                    <Columns columns={g.columns} />
                  </td>
                  <td>{g.rowFilter ? <code>{g.rowFilter}</code> : <span class="muted">—</span>}</td>
                  <td>{g.purpose}</td>
                  <td>{g.expiresAt ? fmtDate(g.expiresAt) : <span class="muted">never</span>}</td>
                  <td>
                    <Badge value={g.state || 'active'} />
                  </td>
                  <td>{mayRevoke ? <RevokeButton g={g} onRevoked={() => state.reload()} /> : null}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Async>
  );
}

const TABS = [
  { key: 'pending', label: 'Approval inbox' },
  { key: 'mine', label: 'My requests' },
  { key: 'grants', label: 'Grants' },
];

export function Inbox({ route }) {
  const me = useMe();
  const decides = hasRole(me, 'admin', 'owner', 'steward') || (me.domains || []).length > 0;
  const tab = route.params.get('tab') || (decides ? 'pending' : 'mine');
  return (
    <div class="page">
      <h1>Access</h1>
      <nav class="tabs" role="tablist">
        {TABS.map((t) => (
          <a key={t.key} role="tab" aria-selected={tab === t.key} class={tab === t.key ? 'tab active' : 'tab'} href={href('/access', { tab: t.key })} data-testid={`access-tab-${t.key}`}>
            {t.label}
          </a>
        ))}
      </nav>
      {tab === 'pending' ? (
        <>
          <p class="hint">Requests on the products of the domains you own{hasRole(me, 'admin') ? ' (as an admin: every domain)' : ''}. Approving creates a grant; masks of classified columns still apply.</p>
          <Pending />
        </>
      ) : null}
      {tab === 'mine' ? <Mine /> : null}
      {tab === 'grants' ? <Grants /> : null}
    </div>
  );
}
