import { useMemo, useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { useApi } from '../lib/hooks.js';
import { href, productHref } from '../lib/router.js';
import { daysUntil, fmtDate, fmtDateTime, fmtDuration, fmtMoney, fmtNumber } from '../lib/format.js';
import { Async, Badge, Cell, Empty, ErrorBanner, Loading, Notice, Section } from '../components.jsx';
import { QualityHistory } from './QualityHistory.jsx';
import { Lineage } from './Lineage.jsx';
import { IncidentList, SlaTable } from './Incidents.jsx';
import { AccessStateBadge, accessSummary } from './product/AccessState.jsx';
import { ColumnProfiles } from './product/Profile.jsx';
import { Changelog } from './product/Changelog.jsx';
import { AuditTab, QuarantineTab } from './product/OwnerTabs.jsx';
import { ColumnTermsAndTags } from './Glossary.jsx';

// `may`: the viewer.may flag a tab needs (the server refuses the data too).
const TABS = [
  { key: 'overview', label: 'Overview' },
  { key: 'changelog', label: 'Changelog' },
  { key: 'quality', label: 'Quality' },
  { key: 'lineage', label: 'Lineage' },
  { key: 'incidents', label: 'SLAs & incidents' },
  { key: 'consumers', label: 'Consumers & usage', may: 'seeConsumers' },
  { key: 'quarantine', label: 'Quarantine', may: 'readQuarantine' },
  { key: 'audit', label: 'Audit', may: 'readAudit' },
];

/** Text with `code` spans, as the specs write descriptions. */
export function Prose({ text }) {
  if (!text) return null;
  return String(text)
    .split(/(`[^`]+`)/g)
    .map((part, i) => (part.length > 2 && part.startsWith('`') && part.endsWith('`') ? <code key={i}>{part.slice(1, -1)}</code> : part));
}

function FreshnessBadge({ freshness }) {
  if (!freshness) return <Badge kind="muted" testid="freshness-badge" value="freshness unknown" />;
  const state = freshness.state || 'unknown';
  const age = freshness.ageSeconds !== null && freshness.ageSeconds !== undefined ? fmtDuration(freshness.ageSeconds) : null;
  const sla = freshness.slaSeconds ? fmtDuration(freshness.slaSeconds) : null;
  const title = [
    freshness.lastPublish ? `last publish ${fmtDateTime(freshness.lastPublish)}` : 'never published',
    sla ? `freshness SLA ${sla}` : 'no freshness SLA',
    freshness.snapshot ? `snapshot ${freshness.snapshot}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <Badge kind={state === 'fresh' ? 'ok' : state === 'stale' ? 'bad' : 'muted'} testid="freshness-badge" title={title}>
      {state}
      {age ? ` · ${age} old` : ''}
      {sla ? ` / SLA ${sla}` : ''}
    </Badge>
  );
}

/** Deprecation and end-of-support / end-of-life badges of one version. */
function LifecycleBadges({ version }) {
  const out = [];
  const eos = daysUntil(version.endOfSupport);
  const eol = daysUntil(version.endOfLife);
  if (version.status === 'active' || !version.status)
    out.push(
      <Badge key="act" value="active" testid={`lifecycle-${version.version}`} title={version.since ? `Applied ${fmtDateTime(version.since)}` : undefined}>
        {version.since ? `active since ${fmtDate(version.since)}` : 'active'}
      </Badge>,
    );
  if (version.status === 'deprecated') out.push(<Badge key="dep" value="deprecated" testid={`deprecated-${version.version}`} />);
  if (version.status === 'retired') out.push(<Badge key="ret" value="retired" testid={`lifecycle-${version.version}`} />);
  if (eos !== null)
    out.push(
      <Badge key="eos" kind={eos < 0 ? 'bad' : eos < 90 ? 'warn' : 'info'} title={`End of support ${fmtDate(version.endOfSupport)}`}>
        {eos < 0 ? `support ended ${fmtDate(version.endOfSupport)}` : `support until ${fmtDate(version.endOfSupport)}`}
      </Badge>,
    );
  if (eol !== null)
    out.push(
      <Badge key="eol" kind={eol < 0 ? 'bad' : eol < 90 ? 'warn' : 'info'} testid={`eol-${version.version}`} title={`End of life ${fmtDate(version.endOfLife)}`}>
        {eol < 0 ? `end of life since ${fmtDate(version.endOfLife)}` : `end of life ${fmtDate(version.endOfLife)} (${eol}d)`}
      </Badge>,
    );
  return out;
}

function Versions({ versions, selected, onSelect }) {
  if (!versions || !versions.length) return <Empty>No versions.</Empty>;
  return (
    <table class="table" data-testid="versions-table">
      <thead>
        <tr>
          <th>Version</th>
          <th>Address</th>
          <th>Port</th>
          <th>Contract</th>
          <th>Status</th>
          <th>Lifecycle</th>
        </tr>
      </thead>
      <tbody>
        {versions.map((v, i) => (
          <tr key={v.address || i} class={i === selected ? 'selected' : ''} data-testid={`version-${v.version}`}>
            <td>
              <button type="button" class="btn-link" onClick={() => onSelect(i)} title="Show this version's schema">
                {v.version}
              </button>
            </td>
            <td>
              <code>{v.address}</code>
            </td>
            <td>{v.port}</td>
            <td>{v.contract}</td>
            <td>
              <Badge value={v.status} />
            </td>
            <td>
              <div class="badges">
                <LifecycleBadges version={v} />
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ViewerAccess({ access, canRead }) {
  if (canRead === false) return <span class="muted">no access</span>;
  if (!access) return <span class="muted">—</span>;
  if (access === 'clear') return <Badge kind="ok">clear</Badge>;
  if (access === 'hidden') return <Badge kind="muted">hidden</Badge>;
  return <Badge kind="warn">masked: {access}</Badge>;
}

function Schema({ version, viewer }) {
  const columns = (version && version.columns) || [];
  if (!columns.length) return <Empty>This version declares no columns.</Empty>;
  const objects = new Set(columns.map((c) => c.object));
  return (
    <div class="table-wrap" tabIndex={0}>
      <table class="table" data-testid="schema-table">
        <thead>
          <tr>
            {objects.size > 1 ? <th>Object</th> : null}
            <th>Column</th>
            <th>Type</th>
            <th>Required</th>
            <th>Classification</th>
            <th>Mask</th>
            <th>Your view</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          {columns.map((c) => (
            <tr key={`${c.object}.${c.name}`} data-testid={`schema-row-${c.name}`}>
              {objects.size > 1 ? <td>{c.object}</td> : null}
              <td>
                <code>{c.name}</code>
                <ColumnTermsAndTags column={c} />
              </td>
              <td>{c.type}</td>
              <td>{c.required ? 'yes' : 'no'}</td>
              <td>
                <Badge value={c.classification} />
              </td>
              <td>{c.mask ? <code>{typeof c.mask === 'object' ? JSON.stringify(c.mask) : c.mask}</code> : <span class="muted">—</span>}</td>
              <td>
                <ViewerAccess access={viewer && viewer.columns ? viewer.columns[c.name] : null} canRead={viewer ? viewer.canRead : undefined} />
              </td>
              <td class="desc">
                <Prose text={c.description} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Sla({ sla }) {
  if (!sla || !sla.length) return <p class="muted">No service levels declared.</p>;
  return (
    <dl class="sla" data-testid="sla">
      {sla.map((s) => (
        <div key={s.property}>
          <dt>{s.property}</dt>
          <dd>
            {fmtNumber(s.value)} {s.unit}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function RequestAccessForm({ product, columns, onDone, onCancel }) {
  const [picked, setPicked] = useState([]);
  const [purpose, setPurpose] = useState('');
  const [expires, setExpires] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    if (!purpose.trim()) {
      setError({ title: 'Purpose required', detail: 'Say what you will use the data for; the owners decide on it.' });
      return;
    }
    setBusy(true);
    setError(null);
    const body = { product, purpose: purpose.trim() };
    if (picked.length) body.columns = picked;
    if (expires) {
      body.until = expires; // what weft serve reads (as `weft access request --until`)
      body.expiresAt = expires;
    }
    try {
      const res = await api('/access/requests', { method: 'POST', body });
      onDone(res);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const toggle = (c) => setPicked((p) => (p.includes(c) ? p.filter((x) => x !== c) : [...p, c]));
  return (
    <form class="card form" onSubmit={submit} data-testid="request-form">
      <h3>Request access to {product}</h3>
      <ErrorBanner error={error} testid="request-error" />
      {columns && columns.length ? (
        <fieldset class="columns-pick">
          <legend>Columns (none ticked: all columns)</legend>
          {columns.map((c) => (
            <label key={c} class="check">
              <input type="checkbox" checked={picked.includes(c)} onChange={() => toggle(c)} data-testid={`request-column-${c}`} />
              {c}
            </label>
          ))}
        </fieldset>
      ) : null}
      <label for="request-purpose">Purpose</label>
      <textarea
        id="request-purpose"
        rows={2}
        required
        placeholder="e.g. monthly revenue report for the finance team"
        data-testid="request-purpose"
        value={purpose}
        onInput={(e) => setPurpose(e.currentTarget.value)}
      />
      <label for="request-expires">Until (optional)</label>
      <input id="request-expires" type="date" data-testid="request-expires" value={expires} onInput={(e) => setExpires(e.currentTarget.value)} />
      <div class="form-actions">
        <button class="btn btn-primary" type="submit" disabled={busy} data-testid="request-submit">
          {busy ? 'Sending…' : 'Send request'}
        </button>
        {onCancel ? (
          <button class="btn" type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}

function RequestAccess({ product, columns, prominent }) {
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState(null);
  if (done)
    return (
      <Notice kind="ok" testid="request-done">
        Request <strong data-testid="request-id">#{done.id}</strong> sent; {Array.isArray(done.approvers) && done.approvers.length ? done.approvers.join(', ') : `the owners of ${product}`}{' '}
        decide on it. Follow it under{' '}
        <a href={href('/access', { tab: 'mine' })}>Access → My requests</a>.
      </Notice>
    );
  if (!open)
    return (
      <div class={prominent ? 'request-cta card' : 'request-cta'}>
        {prominent ? (
          <p>You cannot read this product's data yet. Ask its owners for access: say which columns and what for.</p>
        ) : null}
        <button type="button" class={prominent ? 'btn btn-primary' : 'btn'} data-testid="request-access" onClick={() => setOpen(true)}>
          {prominent ? 'Request access' : 'Request more access'}
        </button>
      </div>
    );
  return <RequestAccessForm product={product} columns={columns} onDone={setDone} onCancel={() => setOpen(false)} />;
}

function Sample({ id, canRead, columns, offerMore }) {
  const state = useApi(`/products/${encodeURIComponent(id)}/sample`);
  if (state.loading && !state.data) return <Loading label="Loading sample rows…" testid="sample-loading" />;
  if (state.error) {
    if (state.error.status === 403)
      return (
        <div data-testid="sample-denied">
          <Notice kind="warn">
            <strong>No sample for you yet.</strong> Your grants do not let you read this product's rows.
          </Notice>
          {/* Without canRead the form is already at the top of the page. */}
          {canRead ? <RequestAccess product={id} columns={columns} prominent /> : null}
        </div>
      );
    if (state.error.status === 404)
      return <Empty testid="sample-empty">No sample: {state.error.detail || 'nothing has been published yet.'}</Empty>;
    return <ErrorBanner error={state.error} testid="sample-error" />;
  }
  const data = state.data || { columns: [], rows: [] };
  const cols = data.columns || [];
  return (
    <>
      {data.rows && data.rows.length ? (
        <div class="table-wrap" tabIndex={0}>
          <table class="table table-data" data-testid="sample-table">
            <thead>
              <tr>
                {cols.map((c) => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.rows.map((r, i) => (
                <tr key={i}>
                  {(Array.isArray(r) ? r : cols.map((c) => r[c])).map((v, j) => (
                    <td key={j}>
                      <Cell value={v} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty testid="sample-empty">No rows published yet.</Empty>
      )}
      <p class="hint">Masks and row filters of your grants apply: you see what a query of yours would return.</p>
      {offerMore ? <RequestAccess product={id} columns={columns} /> : null}
    </>
  );
}

function Consumers({ consumers }) {
  if (!consumers || !consumers.length) return <Empty testid="consumers-empty">No one has been granted access yet.</Empty>;
  return (
    <table class="table" data-testid="consumers">
      <thead>
        <tr>
          <th>Grantee</th>
          <th>Columns</th>
          <th>Row filter</th>
          <th>Purpose</th>
          <th>Expires</th>
        </tr>
      </thead>
      <tbody>
        {consumers.map((c, i) => (
          <tr key={i} data-testid={`consumer-${c.grantee}`}>
            <td>{c.grantee}</td>
            <td>
              {Array.isArray(c.columns) && c.columns.length ? c.columns.join(', ') : <span class="muted">all</span>}
              {Array.isArray(c.clearances) && c.clearances.length ? <span class="small muted"> · cleared for {c.clearances.join(', ')}</span> : null}
            </td>
            <td data-testid={`consumer-filter-${c.grantee}`}>{c.rowFilter ? <code class="small">{c.rowFilter}</code> : <span class="muted">all rows</span>}</td>
            <td>{c.purpose}</td>
            <td>{c.expiresAt ? fmtDate(c.expiresAt) : <span class="muted">never</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Usage({ id }) {
  const state = useApi(`/products/${encodeURIComponent(id)}/usage`);
  if (state.error && state.error.status === 403) return <p class="muted">Usage is visible to the product's owners.</p>;
  return (
    <Async state={state} label="Loading usage…" testid="usage">
      {(u) => {
        const readers = u.readers || [];
        const cols = Object.entries(u.columns || {}).sort((a, b) => b[1] - a[1]);
        const days = Object.entries(u.days || {}).sort((a, b) => a[0].localeCompare(b[0]));
        if (!readers.length && !cols.length)
          return <Empty testid="usage-empty">No queries have read this product yet{u.refused ? ` (${u.refused} refused)` : ''}.</Empty>;
        const max = Math.max(1, ...cols.map(([, n]) => n));
        return (
          <div class="usage" data-testid="usage">
            <div>
              <h3>Readers</h3>
              <table class="table">
                <thead>
                  <tr>
                    <th>Reader</th>
                    <th class="num">Queries</th>
                    <th class="num">Cost</th>
                  </tr>
                </thead>
                <tbody>
                  {readers.map((r) => (
                    <tr key={r.reader}>
                      <td>{r.reader}</td>
                      <td class="num">{fmtNumber(r.queries)}</td>
                      <td class="num">{fmtMoney(r.cost, u.currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p class="hint">
                {u.refused ? `${u.refused} queries were refused. ` : ''}
                {days.length ? `Queries per day: ${days.map(([d, n]) => `${d}: ${n}`).join(', ')}` : ''}
              </p>
            </div>
            <div>
              <h3>Columns read</h3>
              <ul class="bars">
                {cols.map(([c, n]) => (
                  <li key={c}>
                    <span class="bar-label">{c}</span>
                    <span class="bar" style={{ width: `${(n / max) * 100}%` }} />
                    <span class="bar-value">{n}</span>
                  </li>
                ))}
              </ul>
            </div>
          </div>
        );
      }}
    </Async>
  );
}

function Overview({ p }) {
  const versions = p.versions || [];
  const current = Math.max(
    0,
    versions.findIndex((v) => v.version === p.version),
  );
  const [selected, setSelected] = useState(current);
  const version = versions[selected] || versions[0];
  const viewer = p.viewer || {};
  const columnNames = useMemo(() => Array.from(new Set(((version && version.columns) || []).map((c) => c.name))), [version]);
  const canRead = viewer.canRead !== false;
  const summary = accessSummary(viewer);
  return (
    <>
      <Section title="Your access" testid="access-section">
        {viewer.state === 'owner' ? <p data-testid="access-owner">Your team produces this product: you read it whole and manage it.</p> : null}
        {viewer.state === 'access' ? (
          <p data-testid="access-granted">
            You may read this product{summary.length ? ` (${summary.join(', ')})` : ', every column in clear and every row'}.
          </p>
        ) : null}
        {viewer.state === 'pending' ? (
          <Notice kind="warn" testid="access-pending">
            Your request <strong>#{viewer.pendingRequest}</strong> waits for the owners' decision. Follow it under{' '}
            <a href={href('/access', { tab: 'mine' })}>Access → My requests</a>.
          </Notice>
        ) : null}
        {viewer.state === 'none' || (!viewer.state && !canRead) ? <RequestAccess product={p.id} columns={columnNames} prominent /> : null}
      </Section>
      <Describe p={p} />
      <Section title="Versions" testid="versions">
        <Versions versions={versions} selected={selected} onSelect={setSelected} />
      </Section>
      {version ? (
        <Section title={`Contract schema · ${version.contract || ''} v${version.version}`} testid="schema">
          <Schema version={version} viewer={viewer} />
          <h3>Service levels</h3>
          <Sla sla={version.sla} />
        </Section>
      ) : null}
      <Section title="Column profiles" testid="profile-section">
        <ColumnProfiles id={p.id} />
      </Section>
      <Section
        title="Sample rows"
        testid="sample"
        actions={
          canRead ? (
            <a class="btn btn-small" href={href('/sql', { sql: `SELECT * FROM ${p.id} LIMIT 100` })} data-testid="open-in-sql">
              Query in SQL console
            </a>
          ) : null
        }
      >
        <Sample
          id={p.id}
          canRead={canRead}
          columns={columnNames}
          offerMore={canRead && !viewer.isOwner && Object.values(viewer.columns || {}).some((v) => v !== 'clear')}
        />
      </Section>
    </>
  );
}

/** The ODPS descriptor's purpose, limitations and usage, and a derived product's transform. */
function Describe({ p }) {
  const fields = [
    ['Purpose', p.purpose, 'purpose'],
    ['Limitations', p.limitations, 'limitations'],
    ['Usage', p.usage, 'usage'],
  ].filter(([, text]) => text);
  if (!fields.length && !p.transformSql) return null;
  return (
    <Section title="About this product" testid="describe">
      {fields.length ? (
        <dl class="kv describe">
          {fields.map(([label, text, key]) => (
            <div key={key}>
              <dt>{label}</dt>
              <dd data-testid={`describe-${key}`}>
                <Prose text={text} />
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
      {p.transformSql ? (
        <>
          <h3>Transform</h3>
          <p class="hint">This product is derived: each run publishes the result of this SQL over its inputs.</p>
          <pre class="sql" data-testid="transform-sql">
            {p.transformSql}
          </pre>
        </>
      ) : null}
    </Section>
  );
}

function About({ p }) {
  const support = p.support || [];
  const team = p.team || [];
  return (
    <aside class="card about" data-testid="about">
      <h3>Owners</h3>
      <ul class="plain" data-testid="owners">
        {(p.owners || []).map((o) => (
          <li key={o}>{o}</li>
        ))}
      </ul>
      {team.length ? (
        <>
          <h3>Team</h3>
          <ul class="plain">
            {team.map((t) => (
              <li key={t.username + t.role}>
                {t.username} <span class="muted">· {t.role}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {support.length ? (
        <>
          <h3>Support</h3>
          <ul class="plain" data-testid="support">
            {support.map((s) => (
              <li key={s.channel + s.url}>
                {s.url ? (
                  <a href={s.url} target="_blank" rel="noopener noreferrer">
                    {s.channel || s.url}
                  </a>
                ) : (
                  s.channel
                )}
                {s.tool ? <span class="muted"> · {s.tool}</span> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {p.freshness ? (
        <>
          <h3>Freshness</h3>
          <dl class="kv">
            <dt>Last publish</dt>
            <dd>{fmtDateTime(p.freshness.lastPublish)}</dd>
            <dt>Rows</dt>
            <dd>{fmtNumber(p.freshness.rows)}</dd>
            <dt>SLA</dt>
            <dd>{p.freshness.slaSeconds ? fmtDuration(p.freshness.slaSeconds) : 'none'}</dd>
            {p.freshness.snapshot ? (
              <>
                <dt>Snapshot</dt>
                <dd>
                  <code class="small">{p.freshness.snapshot}</code>
                </dd>
              </>
            ) : null}
          </dl>
        </>
      ) : null}
    </aside>
  );
}

export function Product({ id, route }) {
  const tab = route.params.get('tab') || 'overview';
  const state = useApi(id ? `/products/${encodeURIComponent(id)}` : null);
  if (!id) return <div class="page">No product given.</div>;
  if (state.error)
    return (
      <div class="page">
        <p>
          <a href={href('/')}>← Marketplace</a>
        </p>
        <ErrorBanner error={state.error} testid="product-error" />
      </div>
    );
  if (!state.data) return <Loading label={`Loading ${id}…`} testid="product-loading" />;
  const p = state.data;
  const viewer = p.viewer || {};
  return (
    <div class="page product" data-testid={`product-${p.id}`}>
      <p class="crumbs">
        <a href={href('/')}>Marketplace</a> / <a href={href('/', { domain: p.domain })}>{p.domain}</a> / {p.id}
      </p>
      <header class="product-head">
        <div>
          <h1 data-testid="product-title">{p.id}</h1>
          <div class="badges">
            <Badge value={p.status} testid="product-status" />
            <Badge value={p.tier} title="Tier" />
            <Badge kind="neutral">v{p.version}</Badge>
            <FreshnessBadge freshness={p.freshness} />
            <AccessStateBadge viewer={viewer} />
          </div>
          <p class="description" data-testid="product-description">
            <Prose text={p.description} />
          </p>
          <div class="tags">
            {(p.tags || []).map((t) => (
              <a key={t} class="tag" href={href('/', { tag: t })}>
                #{t}
              </a>
            ))}
          </div>
        </div>
      </header>
      <nav class="tabs" role="tablist">
        {TABS.filter((t) => !t.may || (viewer.may || {})[t.may]).map((t) => (
          <a
            key={t.key}
            role="tab"
            aria-selected={tab === t.key}
            class={tab === t.key ? 'tab active' : 'tab'}
            href={productHref(p.id, t.key === 'overview' ? undefined : { tab: t.key })}
            data-testid={`tab-${t.key}`}
          >
            {t.label}
            {t.key === 'consumers' && p.consumers ? <span class="count">{p.consumers.length}</span> : null}
            {t.key === 'incidents' && (p.incidents || []).length ? (
              <span class="count" data-testid="open-incidents">{p.incidents.length}</span>
            ) : null}
          </a>
        ))}
      </nav>
      <div class={tab === 'overview' || tab === 'consumers' ? 'product-grid' : 'product-grid wide'}>
        <div class="product-main">
          {tab === 'overview' ? <Overview key={p.id} p={p} /> : null}
          {tab === 'changelog' ? <Changelog id={p.id} /> : null}
          {tab === 'quarantine' && (viewer.may || {}).readQuarantine ? (
            <Section title="Quarantined rows" testid="quarantine-section">
              <QuarantineTab id={p.id} />
            </Section>
          ) : null}
          {tab === 'audit' && (viewer.may || {}).readAudit ? (
            <Section title="Audit trail" testid="audit-section">
              <AuditTab id={p.id} />
            </Section>
          ) : null}
          {tab === 'quality' ? (
            <Section title="Quality history" testid="quality">
              <QualityHistory id={p.id} />
            </Section>
          ) : null}
          {tab === 'lineage' ? (
            <Section title="Lineage" testid="lineage">
              <Lineage id={p.id} product={p} />
            </Section>
          ) : null}
          {tab === 'incidents' ? (
            <>
              <Section title="SLAs, judged now" testid="sla-section">
                <SlaTable sla={p.sla} />
              </Section>
              <Section title="Incidents" testid="incidents-section">
                <IncidentList product={p.id} />
              </Section>
            </>
          ) : null}
          {tab === 'consumers' && (viewer.may || {}).seeConsumers ? (
            <>
              <Section title="Consumers (active grants)" testid="consumers-section">
                <Consumers consumers={p.consumers} />
              </Section>
              <Section title="Usage" testid="usage-section">
                <Usage id={p.id} />
              </Section>
            </>
          ) : null}
        </div>
        {tab === 'overview' || tab === 'consumers' ? <About p={p} /> : null}
      </div>
    </div>
  );
}
