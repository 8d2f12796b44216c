import { useEffect, useState } from 'preact/hooks';
import { useApi, useDebounced } from '../lib/hooks.js';
import { navigate, productHref } from '../lib/router.js';
import { Badge, ErrorBanner, Empty, Loading } from '../components.jsx';
import { QualityBadge } from './quality.jsx';
import { fmtAgo, fmtDateTime, fmtNumber } from '../lib/format.js';

export const FACETS = [
  { key: 'domain', label: 'Domain' },
  { key: 'tag', label: 'Tag' },
  { key: 'classification', label: 'Classification' },
  { key: 'column_tag', label: 'Column tag' },
  { key: 'status', label: 'Status' },
  { key: 'quality', label: 'Quality' },
];

const LIMIT = 100;

/** "The [customer] golden record" → text with <mark>customer</mark>. */
export function Snippet({ text }) {
  if (!text) return null;
  const parts = String(text).split(/(\[[^\]]*\])/g);
  return (
    <p class="snippet">
      {parts.map((p, i) => (p.startsWith('[') && p.endsWith(']') ? <mark key={i}>{p.slice(1, -1)}</mark> : p))}
    </p>
  );
}

function facetEntries(counts, selected) {
  const entries = Object.entries(counts || {});
  if (selected && !entries.some(([v]) => v === selected)) entries.push([selected, 0]);
  entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries;
}

function Facet({ facet, counts, selected, onPick }) {
  const entries = facetEntries(counts, selected);
  if (!entries.length) return null;
  return (
    <fieldset class="facet" data-testid={`facet-${facet.key}`}>
      <legend>{facet.label}</legend>
      <ul>
        {entries.map(([value, count]) => {
          const on = selected === value;
          return (
            <li key={value}>
              <label class={on ? 'facet-value on' : 'facet-value'}>
                <input
                  type="checkbox"
                  checked={on}
                  data-testid={`facet-${facet.key}-${value}`}
                  onChange={() => onPick(facet.key, on ? '' : value)}
                />
                <span class="facet-name">{value}</span>
                <span class="facet-count">{fmtNumber(count)}</span>
              </label>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}

/** A card says what the product is, who answers for it, how fresh and how
 * good it is, with or without a query (search scores stay hidden: they
 * rank the cards, a reader cannot use the number). */
function ResultCard({ hit }) {
  const owners = Array.isArray(hit.owners) && hit.owners.length ? hit.owners.join(', ') : null;
  return (
    <a class="card result" href={productHref(hit.product)} data-testid={`result-${hit.product}`}>
      <div class="result-head">
        <span class="result-id">{hit.product}</span>
        <Badge value={hit.status} />
        {hit.tier ? <Badge value={hit.tier} title="Tier" testid="card-tier">{`tier: ${hit.tier}`}</Badge> : null}
        <QualityBadge quality={hit.quality} testid="card-quality" />
      </div>
      {hit.description ? (
        <p class="result-desc" data-testid="card-description">
          {hit.description}
        </p>
      ) : null}
      <div class="result-meta">
        <span>
          domain <strong>{hit.domain}</strong>
        </span>
        <span data-testid="card-owners">
          {owners ? (
            <>
              owned by <strong>{owners}</strong>
            </>
          ) : (
            'no owner named'
          )}
        </span>
        <span data-testid="card-freshness" title={hit.lastSnapshot ? `newest snapshot: ${fmtDateTime(hit.lastSnapshot)}` : undefined}>
          {hit.lastSnapshot ? `updated ${fmtAgo(hit.lastSnapshot)}` : 'never published'}
        </span>
      </div>
      <Snippet text={hit.snippet} />
    </a>
  );
}

export function Marketplace({ route }) {
  const params = route.params;
  const q = params.get('q') || '';
  const filters = Object.fromEntries(FACETS.map((f) => [f.key, params.get(f.key) || '']));
  const [text, setText] = useState(q);
  const debounced = useDebounced(text, 300);

  // Keep the box in step with the URL (back/forward).
  useEffect(() => setText(q), [q]);
  useEffect(() => {
    if (debounced !== q) navigate('/', { ...filters, q: debounced }, { replace: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);

  const state = useApi('/search', { q, ...filters, limit: LIMIT }, { keepPrevious: true });
  const data = state.data;
  const hits = (data && data.hits) || [];
  const facets = (data && data.facets) || {};
  const active = FACETS.filter((f) => filters[f.key]);

  const pick = (key, value) => navigate('/', { ...filters, q: text, [key]: value });

  return (
    <div class="page marketplace">
      <form
        class="searchbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          navigate('/', { ...filters, q: text });
        }}
      >
        <input
          type="search"
          placeholder="Search products by name, description, tags and columns"
          aria-label="Search products"
          data-testid="search-input"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button class="btn btn-primary" type="submit" data-testid="search-submit">
          Search
        </button>
      </form>
      <div class="market-grid">
        <aside class="facets" aria-label="Filters">
          {active.length ? (
            <button type="button" class="btn btn-link" data-testid="facet-clear" onClick={() => navigate('/', { q: text })}>
              Clear filters
            </button>
          ) : null}
          {data && data.facetsComplete === false ? (
            <p class="facets-note" data-testid="facets-partial">
              Counts cover the best {fmtNumber(data.facetsCounted)} matches; more products matched.
            </p>
          ) : null}
          {FACETS.map((f) => (
            <Facet key={f.key} facet={f} counts={facets[f.key]} selected={filters[f.key]} onPick={pick} />
          ))}
        </aside>
        <div class="results" data-testid="results" aria-busy={state.loading ? 'true' : 'false'}>
          <ErrorBanner error={state.error} testid="search-error" />
          {state.loading && !data ? <Loading label="Searching…" /> : null}
          {data ? (
            <div class="results-summary" data-testid="results-count">
              {hits.length === 1 ? '1 product' : `${fmtNumber(hits.length)}${hits.length >= LIMIT ? '+' : ''} products`}
              {q ? (
                <>
                  {' '}
                  for <strong>“{q}”</strong>
                </>
              ) : null}
              {active.map((f) => (
                <span key={f.key} class="chip">
                  {f.label.toLowerCase()}: {filters[f.key]}
                  <button type="button" aria-label={`Remove ${f.label} filter`} onClick={() => pick(f.key, '')}>
                    ×
                  </button>
                </span>
              ))}
              {state.loading ? <span class="muted"> · updating…</span> : null}
            </div>
          ) : null}
          {data && !hits.length ? (
            <Empty testid="results-empty">
              No product matches{q ? ` “${q}”` : ''}
              {active.length ? ' with these filters' : ''}.
            </Empty>
          ) : null}
          {hits.map((h) => (
            <ResultCard key={h.product} hit={h} />
          ))}
        </div>
      </div>
    </div>
  );
}
