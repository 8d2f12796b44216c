import { useState } from 'preact/hooks';
import { useApi } from '../../lib/hooks.js';
import { fmtDateTime } from '../../lib/format.js';
import { Async, Badge, Empty, Section } from '../../components.jsx';

const LEVEL_KIND = { breaking: 'bad', addition: 'info', info: 'neutral', none: 'muted' };

function Changes({ changes, testid }) {
  if (!changes || !changes.length) return <span class="muted">no changes</span>;
  return (
    <ul class="plain changes" data-testid={testid}>
      {changes.map((c, i) => (
        <li key={i}>
          <Badge value={c.severity} kind={c.severity === 'breaking' ? 'bad' : c.severity === 'warning' ? 'warn' : 'info'} />{' '}
          <code class="small">{c.rule}</code> {c.message}
        </li>
      ))}
    </ul>
  );
}

function Diff({ id, from, to }) {
  const state = useApi(from && to ? `/products/${encodeURIComponent(id)}/diff` : null, { from, to });
  if (!from || !to) return null;
  return (
    <Async state={state} label="Comparing…" testid="diff">
      {(d) => (
        <div data-testid="diff-result">
          {(d.documents || []).map((doc) => (
            <div key={doc.id + doc.kind} class="card">
              <h3>
                {doc.kind} {doc.id}: {doc.oldVersion || '(none)'} → {doc.newVersion || '(none)'}{' '}
                <Badge value={doc.level} kind={LEVEL_KIND[doc.level]} />{' '}
                <span class="small muted">
                  bump {doc.bump}, required {doc.requiredBump}
                  {doc.bumpEnough ? '' : ' — not enough'}
                </span>
              </h3>
              <Changes changes={doc.changes} testid="diff-changes" />
            </div>
          ))}
        </div>
      )}
    </Async>
  );
}

/** The product's versions, newest first, and the diff between any two. */
export function Changelog({ id }) {
  const state = useApi(`/products/${encodeURIComponent(id)}/changelog`);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  return (
    <Async state={state} label="Loading the changelog…" testid="changelog">
      {(log) => {
        const versions = log.versions || [];
        if (!versions.length) return <Empty testid="changelog-empty">No version has been applied.</Empty>;
        const names = [...new Set(versions.map((v) => v.version))];
        const pickFrom = from || names[1] || names[0];
        const pickTo = to || names[0];
        return (
          <>
            <Section title="Versions" testid="changelog-section">
              <table class="table" data-testid="changelog-table">
                <thead>
                  <tr>
                    <th>Version</th>
                    <th>Applied</th>
                    <th>Contract · port</th>
                    <th>Bump</th>
                    <th>What changed</th>
                  </tr>
                </thead>
                <tbody>
                  {versions.map((v) => (
                    <tr key={v.contract + v.version} data-testid={`changelog-${v.version}`}>
                      <td>
                        <strong>{v.version}</strong> <span class="muted small">v{v.major}</span>
                      </td>
                      <td>{fmtDateTime(v.appliedAt)}</td>
                      <td>
                        {v.contract} · {v.port}
                      </td>
                      <td>
                        <Badge value={v.bump} kind={v.level === 'breaking' ? 'bad' : 'neutral'} />
                        {v.previous ? <span class="muted small"> from {v.previous}</span> : null}
                      </td>
                      <td>{v.bump === 'initial' ? <span class="muted">first version</span> : <Changes changes={v.changes} />}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Section>
            <Section title="Compare two versions" testid="diff-section">
              <div class="chart-controls">
                <label>
                  From{' '}
                  <select value={pickFrom} onChange={(e) => setFrom(e.currentTarget.value)} data-testid="diff-from">
                    {names.map((n) => (
                      <option key={n} value={n}>
                        {n}
                      </option>
                    ))}
                  </select>
                </label>{' '}
                <label>
                  to{' '}
                  <select value={pickTo} onChange={(e) => setTo(e.currentTarget.value)} data-testid="diff-to">
                    {names.map((n) => (
                      <option key={n} value={n}>
                        {n}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
              <Diff id={id} from={pickFrom} to={pickTo} />
            </Section>
          </>
        );
      }}
    </Async>
  );
}
