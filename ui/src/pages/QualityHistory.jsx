import { useMemo, useState } from 'preact/hooks';
import { useApi } from '../lib/hooks.js';
import { fmtDateTime, fmtNumber, fmtPercent } from '../lib/format.js';
import { ChartCanvas } from '../lib/charts.jsx';
import { Async, Badge, Empty } from '../components.jsx';

const GREEN = '#2e9e6a';
const RED = '#d64545';
const AMBER = '#e0a100';
const GREY = '#b8c0cc';

function shortTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso || '?');
  return d.toISOString().slice(5, 16).replace('T', ' ');
}

/** history JSON → publishes in time order and, per rule, its result at each. */
export function model(history) {
  const publishes = [...(history.publishes || [])].sort((a, b) => String(a.startedAt).localeCompare(String(b.startedAt)));
  const index = new Map(publishes.map((p, i) => [p.id, i]));
  const rules = (history.rules || []).map((r) => {
    const at = new Array(publishes.length).fill(null);
    for (const res of r.results || []) {
      const i = index.get(res.publish);
      if (i !== undefined) at[i] = res;
    }
    return { ...r, at, everFailed: at.some((x) => x && !x.passed) };
  });
  return { publishes, rules };
}

/** Per publish: the rows kept and the rows quarantined, so a publish in
 * which most rows failed stands out however few rules it broke. */
function summaryConfig(m) {
  const labels = m.publishes.map((p) => `${shortTime(p.startedAt)}${p.outcome && p.outcome !== 'published' ? ` (${p.outcome})` : ''}`);
  const quarantined = m.publishes.map((p) => p.rowsQuarantined || 0);
  const kept = m.publishes.map((p) => Math.max(0, (p.rowsIn || 0) - (p.rowsQuarantined || 0)));
  return {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: 'rows kept', data: kept, backgroundColor: GREEN, stack: 'rows', maxBarThickness: 56 },
        { label: 'rows quarantined', data: quarantined, backgroundColor: RED, stack: 'rows', maxBarThickness: 56 },
      ],
    },
    options: {
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            afterBody: (items) => {
              const i = items[0].dataIndex;
              const p = m.publishes[i];
              const share = `${fmtPercent(p.quarantinedShare || 0)} of ${fmtNumber(p.rowsIn || 0)} rows quarantined`;
              const failed = m.rules
                .filter((r) => r.at[i] && !r.at[i].passed)
                .map((r) => `✗ ${r.rule}: ${fmtNumber(r.at[i].failingRows)} rows (${fmtPercent(r.at[i].share || 0)})`);
              return [share, ...(p.message ? [p.message] : []), ...failed.slice(0, 12)];
            },
          },
        },
      },
      scales: {
        x: { stacked: true, title: { display: true, text: 'publish' } },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'rows' } },
      },
    },
  };
}

function ruleConfig(m, rule) {
  const labels = m.publishes.map((p) => shortTime(p.startedAt));
  return {
    type: 'bar',
    data: {
      labels,
      datasets: [
        {
          label: `${rule.rule}: failing rows`,
          data: rule.at.map((x) => (x ? x.failingRows : null)),
          backgroundColor: rule.at.map((x) => (!x ? GREY : x.passed ? GREEN : rule.severity === 'error' ? RED : AMBER)),
          minBarLength: 3,
          maxBarThickness: 56,
        },
      ],
    },
    options: {
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: (item) => {
              const x = rule.at[item.dataIndex];
              if (!x) return 'not checked';
              return `${x.passed ? 'passed' : 'failed'}: ${fmtNumber(x.failingRows)} of ${fmtNumber(x.checkedRows)} rows failing (${fmtPercent(x.share || 0)}, value ${fmtNumber(x.value)})`;
            },
          },
        },
      },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'failing rows' } } },
    },
  };
}

function RuleGrid({ m, onPick, picked }) {
  const last = m.publishes.length;
  const shown = m.publishes.slice(Math.max(0, last - 12));
  const offset = last - shown.length;
  return (
    <div class="table-wrap" tabIndex={0}>
      <table class="table rule-grid" data-testid="quality-grid">
        <thead>
          <tr>
            <th>Rule</th>
            <th>Severity</th>
            {shown.map((p) => (
              <th key={p.id} class="center" title={`${p.id} · ${fmtDateTime(p.startedAt)} · ${p.outcome}`}>
                {shortTime(p.startedAt)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {m.rules.map((r) => (
            <tr key={r.rule} class={picked === r.rule ? 'selected' : ''} data-testid={`quality-rule-${r.rule}`}>
              <td>
                <button type="button" class="btn-link" onClick={() => onPick(r.rule)} title="Chart this rule">
                  {r.rule}
                </button>
              </td>
              <td>
                <Badge value={r.severity} kind={r.severity === 'error' ? 'bad' : 'warn'} />
              </td>
              {shown.map((p, j) => {
                const x = r.at[offset + j];
                if (!x)
                  return (
                    <td key={p.id} class="center muted">
                      ·
                    </td>
                  );
                return (
                  <td
                    key={p.id}
                    class={`center cell-${x.passed ? 'pass' : 'fail'}`}
                    title={`${fmtNumber(x.failingRows)} of ${fmtNumber(x.checkedRows)} rows failing (${fmtPercent(x.share || 0)})`}
                  >
                    {x.passed ? '✓' : `✗ ${fmtNumber(x.failingRows)} (${fmtPercent(x.share || 0)})`}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function QualityView({ history }) {
  const m = useMemo(() => model(history), [history]);
  const [picked, setPicked] = useState('');
  const rule = m.rules.find((r) => r.rule === picked);
  const config = useMemo(() => (rule ? ruleConfig(m, rule) : summaryConfig(m)), [m, rule]);
  if (!m.publishes.length) return <Empty testid="quality-empty">Nothing has been published yet, so no rule has been checked.</Empty>;
  const lastIdx = m.publishes.length - 1;
  const lastFailed = m.rules.filter((r) => r.at[lastIdx] && !r.at[lastIdx].passed);
  return (
    <>
      <div class="quality-summary">
        <span>
          {m.publishes.length} publish{m.publishes.length === 1 ? '' : 'es'}, {m.rules.length} rules.
        </span>{' '}
        <span>
          Last publish ({fmtDateTime(m.publishes[lastIdx].startedAt)}, <Badge value={m.publishes[lastIdx].outcome} />
          ):{' '}
          {fmtNumber(m.publishes[lastIdx].rowsQuarantined || 0)} of {fmtNumber(m.publishes[lastIdx].rowsIn || 0)} rows quarantined (
          {fmtPercent(m.publishes[lastIdx].quarantinedShare || 0)}),{' '}
          {lastFailed.length ? (
            <strong class="text-bad">
              {lastFailed.length} rule{lastFailed.length === 1 ? '' : 's'} failed
            </strong>
          ) : (
            <strong class="text-ok">every rule passed</strong>
          )}
          {m.publishes[lastIdx].message ? <span class="muted"> — {m.publishes[lastIdx].message}</span> : null}
        </span>
      </div>
      <div class="chart-controls">
        <label>
          Chart:{' '}
          <select value={picked} onChange={(e) => setPicked(e.currentTarget.value)} data-testid="quality-rule-select">
            <option value="">rows kept / quarantined per publish</option>
            {m.rules.map((r) => (
              <option key={r.rule} value={r.rule}>
                {r.everFailed ? '✗ ' : ''}
                {r.rule}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ChartCanvas config={config} testid="quality-chart" label={`Quality results per publish of ${history.product}`} />
      <h3>Rules per publish</h3>
      <RuleGrid m={m} picked={picked} onPick={(r) => setPicked(r === picked ? '' : r)} />
    </>
  );
}

export function QualityHistory({ id }) {
  const state = useApi(`/products/${encodeURIComponent(id)}/history`);
  return (
    <Async state={state} label="Loading quality history…" testid="quality">
      {(h) => <QualityView history={h} />}
    </Async>
  );
}
