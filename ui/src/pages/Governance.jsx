import { useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { useApi } from '../lib/hooks.js';
import { hasRole, useMe } from '../lib/me.js';
import { fmtDate, fmtDateTime } from '../lib/format.js';
import { Async, Badge, ErrorBanner, Notice, Section } from '../components.jsx';

function arrayOf(data, key) {
  if (Array.isArray(data)) return data;
  return (data && data[key]) || [];
}

function sevKind(sev) {
  return sev === 'error' ? 'bad' : sev === 'warn' || sev === 'warning' ? 'warn' : 'info';
}

function WaiverForm({ policies, initial, onAdded, onCancel }) {
  const [policy, setPolicy] = useState(initial.policy || '');
  const [subject, setSubject] = useState(initial.subject || '');
  const [reason, setReason] = useState('');
  const [expires, setExpires] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    if (!policy || !subject.trim() || !reason.trim() || !expires) {
      setError({ title: 'Missing fields', detail: 'A waiver names the policy, the subject exactly as reported, a reason and an expiry date.' });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await api('/waivers', { method: 'POST', body: { policy, subject: subject.trim(), reason: reason.trim(), expiresAt: expires } });
      onAdded(res);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <form class="card form" onSubmit={submit} data-testid="waiver-form">
      <h3>Waive a policy</h3>
      <ErrorBanner error={error} testid="waiver-error" />
      <label>
        Policy
        <select value={policy} onChange={(e) => setPolicy(e.currentTarget.value)} data-testid="waiver-policy">
          <option value="">choose…</option>
          {policies.map((p) => (
            <option key={p.id} value={p.id}>
              {p.id}
            </option>
          ))}
          {policy && !policies.some((p) => p.id === policy) ? <option value={policy}>{policy}</option> : null}
        </select>
      </label>
      <label>
        Subject <span class="muted">(exactly as the violation names it)</span>
        <input type="text" value={subject} onInput={(e) => setSubject(e.currentTarget.value)} data-testid="waiver-subject" />
      </label>
      <label>
        Reason
        <input type="text" value={reason} onInput={(e) => setReason(e.currentTarget.value)} data-testid="waiver-reason" />
      </label>
      <label>
        Expires
        <input type="date" value={expires} onInput={(e) => setExpires(e.currentTarget.value)} data-testid="waiver-expires" />
      </label>
      <div class="form-actions">
        <button class="btn btn-primary" type="submit" disabled={busy} data-testid="waiver-submit">
          {busy ? 'Saving…' : 'Add waiver'}
        </button>
        <button class="btn" type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function Governance() {
  const me = useMe();
  const violations = useApi('/policies/violations');
  const waivers = useApi('/waivers');
  const policies = useApi('/policies');
  const [showWaived, setShowWaived] = useState(false);
  const [severity, setSeverity] = useState('');
  const [form, setForm] = useState(null);
  const [added, setAdded] = useState(null);
  const policyList = arrayOf(policies.data, 'policies');
  const canWaive = hasRole(me, 'admin', 'steward');

  const openForm = (initial) => {
    setAdded(null);
    setForm(initial);
  };

  return (
    <div class="page">
      <h1>Governance</h1>
      {added ? (
        <Notice kind="ok" testid="waiver-added">
          Waiver {added.id ? `#${added.id} ` : ''}added.
        </Notice>
      ) : null}
      {form ? (
        <WaiverForm
          policies={policyList}
          initial={form}
          onCancel={() => setForm(null)}
          onAdded={(res) => {
            setForm(null);
            setAdded(res || {});
            waivers.reload();
            violations.reload();
          }}
        />
      ) : null}
      <Section
        title="Policy violations"
        testid="violations-section"
        actions={
          <>
            <label class="inline">
              <input type="checkbox" checked={showWaived} onChange={(e) => setShowWaived(e.currentTarget.checked)} data-testid="show-waived" /> show waived
            </label>
            <select value={severity} onChange={(e) => setSeverity(e.currentTarget.value)} aria-label="Severity" data-testid="violation-severity">
              <option value="">all severities</option>
              <option value="error">error</option>
              <option value="warn">warn</option>
            </select>
          </>
        }
      >
        <Async state={violations} label="Checking policies…" testid="violations">
          {(d) => {
            const all = arrayOf(d, 'violations');
            const rows = all.filter((v) => (showWaived || !v.waived) && (!severity || v.severity === severity));
            const open = all.filter((v) => !v.waived);
            return (
              <>
                <p class="hint" data-testid="violations-summary">
                  {open.length
                    ? (() => {
                        const errors = open.filter((v) => v.severity === 'error').length;
                        return `${open.length} open violation${open.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'})`;
                      })()
                    : 'No open violation'}
                  {all.length - open.length ? `, ${all.length - open.length} waived` : ''}.
                </p>
                {rows.length ? (
                  <table class="table" data-testid="violations">
                    <thead>
                      <tr>
                        <th>Severity</th>
                        <th>Policy</th>
                        <th>Subject</th>
                        <th>Message</th>
                        <th />
                      </tr>
                    </thead>
                    <tbody>
                      {rows.map((v, i) => (
                        <tr key={i} class={v.waived ? 'muted-row' : ''} data-testid={`violation-${v.policy}-${v.subject}`}>
                          <td>
                            <Badge kind={sevKind(v.severity)}>{v.severity}</Badge>
                          </td>
                          <td>
                            <code>{v.policy}</code>
                          </td>
                          <td>{v.subject}</td>
                          <td>{v.message}</td>
                          <td>
                            {v.waived ? (
                              <Badge kind="muted">waived</Badge>
                            ) : canWaive ? (
                              <button type="button" class="btn btn-small" onClick={() => openForm({ policy: v.policy, subject: v.subject })}>
                                Waive…
                              </button>
                            ) : null}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ) : null}
              </>
            );
          }}
        </Async>
      </Section>
      <Section
        title="Waivers"
        testid="waivers-section"
        actions={
          canWaive && !form ? (
            <button type="button" class="btn btn-small" onClick={() => openForm({})} data-testid="waiver-new">
              New waiver
            </button>
          ) : null
        }
      >
        <Async state={waivers} label="Loading waivers…" testid="waivers" isEmpty={(d) => !arrayOf(d, 'waivers').length} empty="No waivers: every policy applies to every subject.">
          {(d) => (
            <table class="table" data-testid="waivers">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Policy</th>
                  <th>Subject</th>
                  <th>Reason</th>
                  <th>Approver</th>
                  <th>Created</th>
                  <th>Expires</th>
                </tr>
              </thead>
              <tbody>
                {arrayOf(d, 'waivers').map((w) => {
                  const expired = w.expiresAt && new Date(w.expiresAt).getTime() < Date.now();
                  return (
                    <tr key={w.id} data-testid={`waiver-${w.id}`}>
                      <td>{w.id}</td>
                      <td>
                        <code>{w.policy}</code>
                      </td>
                      <td>{w.subject}</td>
                      <td>{w.reason}</td>
                      <td>{w.approver}</td>
                      <td>{fmtDateTime(w.createdAt)}</td>
                      <td>
                        {fmtDate(w.expiresAt)} {expired ? <Badge kind="muted">expired</Badge> : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </Async>
      </Section>
      <Section title="Policies" testid="policies-section">
        <Async state={policies} label="Loading policies…" testid="policies" isEmpty={() => !policyList.length} empty="No policies.">
          {() => (
            <ul class="plain policies" data-testid="policies">
              {policyList.map((p) => (
                <li key={p.id} class="policy">
                  <div>
                    <Badge kind={sevKind(p.severity)}>{p.severity}</Badge> <strong>{p.title}</strong> <code class="small">{p.id}</code>
                  </div>
                  <p class="small muted">{p.rationale}</p>
                </li>
              ))}
            </ul>
          )}
        </Async>
      </Section>
    </div>
  );
}
