import { useMemo } from 'preact/hooks';
import { useApi } from '../lib/hooks.js';
import { navigate, productHref } from '../lib/router.js';
import { fmtBytes, fmtMoney, fmtNumber, fmtPercent, productOfAddress } from '../lib/format.js';
import { ChartCanvas } from '../lib/charts.jsx';
import { Async, Empty, ErrorBanner, Section } from '../components.jsx';

function BudgetBar({ cost, budget }) {
  if (!budget) return <span class="muted">no budget</span>;
  const pct = (Number(cost) / Number(budget)) * 100;
  const kind = pct >= 100 ? 'bad' : pct >= 80 ? 'warn' : 'ok';
  return (
    <span class="budget" title={`${fmtPercent(pct / 100, pct < 1 ? 4 : 1)} of the monthly budget`}>
      <span class="budget-track">
        <span class={`budget-fill fill-${kind}`} style={{ width: `${Math.min(100, pct)}%` }} />
      </span>
      <span class="budget-pct">{fmtPercent(pct / 100)}</span>
    </span>
  );
}

function MonthlyChart({ domain }) {
  const state = useApi('/cost/monthly', { domain });
  const months = (state.data && state.data.months) || [];
  const maxCost = Math.max(0, ...months.map((m) => Number(m.cost) || 0));
  const maxBudget = Math.max(0, ...months.map((m) => Number(m.budget) || 0));
  // A budget line far above the costs flattens the bars to nothing: hidden
  // then (the legend shows it again).
  const hideBudget = maxBudget > 0 && maxCost < maxBudget * 0.05;
  const config = useMemo(
    () => ({
      type: 'bar',
      data: {
        labels: months.map((m) => m.month),
        datasets: [
          { type: 'bar', label: 'cost', data: months.map((m) => m.cost), backgroundColor: '#2457c5', order: 2, maxBarThickness: 56 },
          {
            type: 'line',
            label: 'budget',
            data: months.map((m) => (m.budget === null || m.budget === undefined ? null : m.budget)),
            borderColor: '#d64545',
            backgroundColor: '#d64545',
            borderDash: [6, 4],
            pointRadius: 2,
            stepped: 'middle',
            order: 1,
            hidden: hideBudget,
          },
        ],
      },
      options: {
        plugins: {
          legend: { position: 'bottom' },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${fmtMoney(item.raw, state.data && state.data.currency)}` } },
        },
        scales: {
          y: {
            beginAtZero: true,
            title: { display: true, text: (state.data && state.data.currency) || 'cost' },
            ticks: { callback: (v) => fmtMoney(v, state.data && state.data.currency) },
          },
        },
      },
    }),
    [state.data, hideBudget],
  );
  if (state.error) return <ErrorBanner error={state.error} testid="cost-chart-error" />;
  if (state.data && !months.length) return <Empty testid="cost-chart-empty">No cost recorded yet.</Empty>;
  if (!state.data) return <div class="chart" data-testid="cost-chart" data-ready="false" style={{ height: '280px' }} />;
  return (
    <>
      <ChartCanvas config={config} testid="cost-chart" label={`Monthly cost${domain ? ` of ${domain}` : ''} against budget`} />
      {hideBudget ? (
        <p class="hint">
          The costs are under 5% of the budget ({fmtMoney(maxBudget, state.data.currency)}), so the budget line is hidden: click “budget” to show it.
        </p>
      ) : null}
    </>
  );
}

function MonthTables({ data, domain }) {
  const currency = data.currency;
  const consumers = (data.consumers || []).filter((c) => !domain || c.domain === domain);
  const storage = (data.storage || []).filter((s) => !domain || s.domain === domain);
  const products = [...(data.products || [])].sort((a, b) => b.cost - a.cost || b.queries - a.queries);
  return (
    <>
      <div class="cost-grid">
        <div>
          <h3>Query cost by consuming domain</h3>
          {consumers.length ? (
            <table class="table" data-testid="cost-consumers">
              <thead>
                <tr>
                  <th>Domain</th>
                  <th class="num">Queries</th>
                  <th class="num">Cost</th>
                  <th class="num">Budget</th>
                  <th>Used</th>
                </tr>
              </thead>
              <tbody>
                {consumers.map((c) => (
                  <tr key={c.domain} data-testid={`cost-domain-${c.domain}`}>
                    <td>
                      <button type="button" class="btn-link" onClick={() => navigate('/cost', { month: data.month, domain: c.domain })}>
                        {c.domain}
                      </button>
                    </td>
                    <td class="num">{fmtNumber(c.queries)}</td>
                    <td class="num">{fmtMoney(c.cost, currency)}</td>
                    <td class="num">{c.budget ? fmtMoney(c.budget, currency) : '—'}</td>
                    <td>
                      <BudgetBar cost={c.cost} budget={c.budget} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <Empty>No queries this month.</Empty>
          )}
        </div>
        <div>
          <h3>Storage</h3>
          {storage.length ? (
            <table class="table" data-testid="cost-storage">
              <thead>
                <tr>
                  <th>Domain</th>
                  <th class="num">Size</th>
                  <th class="num">Cost</th>
                </tr>
              </thead>
              <tbody>
                {storage.map((s) => (
                  <tr key={s.domain}>
                    <td>{s.domain}</td>
                    <td class="num">{fmtBytes(s.bytes)}</td>
                    <td class="num">{fmtMoney(s.cost, currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <Empty>No storage.</Empty>
          )}
        </div>
      </div>
      <h3>Query cost by product read</h3>
      {products.length ? (
        <table class="table" data-testid="cost-products">
          <thead>
            <tr>
              <th>Product version</th>
              <th class="num">Queries</th>
              <th class="num">Cost</th>
            </tr>
          </thead>
          <tbody>
            {products.map((p) => (
              <tr key={p.product}>
                <td>
                  <a href={productHref(productOfAddress(p.product))}>{p.product}</a>
                </td>
                <td class="num">{fmtNumber(p.queries)}</td>
                <td class="num">{fmtMoney(p.cost, currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Empty>No product was read this month.</Empty>
      )}
    </>
  );
}

export function Cost({ route }) {
  const month = route.params.get('month') || '';
  const domain = route.params.get('domain') || '';
  const domains = useApi('/domains');
  const cost = useApi('/cost', { month, domain });
  const domainList = Array.isArray(domains.data) ? domains.data : (domains.data && domains.data.domains) || [];
  const info = domainList.find((d) => d.name === domain);
  // One currency on the page: the workspace's, as the cost view says it.
  const currency = cost.data && cost.data.currency;
  const warnings = (cost.data && cost.data.warnings) || [];
  return (
    <div class="page">
      <h1>Cost</h1>
      <p class="hint">Showback: queries are charged to the consuming domain, storage to the owning domain.</p>
      <div class="filters">
        <label class="inline">
          Month{' '}
          <input
            type="month"
            value={month || (cost.data && cost.data.month) || ''}
            onChange={(e) => navigate('/cost', { month: e.currentTarget.value, domain })}
            data-testid="cost-month"
          />
        </label>
        <label class="inline">
          Domain{' '}
          <select value={domain} onChange={(e) => navigate('/cost', { month, domain: e.currentTarget.value })} data-testid="cost-domain">
            <option value="">all domains</option>
            {domainList.map((d) => (
              <option key={d.name} value={d.name}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBanner error={domains.error} />
      {info ? (
        <p class="domain-info" data-testid="cost-domain-info">
          <strong>{info.name}</strong>: {info.description} Cost center <code>{info.costCenter}</code>,{' '}
          {info.monthlyBudget === null || info.monthlyBudget === undefined
            ? 'no budget'
            : `budget ${fmtMoney(info.monthlyBudget, currency)} a month`}
          , owners {(info.owners || []).join(', ')}.
        </p>
      ) : null}
      {warnings.map((w) => (
        <p key={w} class="hint" data-testid="cost-warning">
          {w}
        </p>
      ))}
      <Section title={`Monthly cost${domain ? ` · ${domain}` : ''}`} testid="cost-monthly">
        <MonthlyChart domain={domain} />
      </Section>
      <Section title={`Month ${(cost.data && cost.data.month) || month || ''}`} testid="cost-month-section">
        <Async state={cost} label="Loading cost…" testid="cost">
          {(d) => <MonthTables data={d} domain={domain} />}
        </Async>
      </Section>
    </div>
  );
}
