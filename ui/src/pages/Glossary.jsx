// The business glossary: /glossary lists the terms, /glossary/{term} shows a
// term with every column that names it (GET /api/v1/glossary[/{term}]).
import { useApi } from '../lib/hooks.js';
import { href, productHref } from '../lib/router.js';
import { Empty, ErrorBanner, Loading } from '../components.jsx';

export function termHref(name) {
  return href('/glossary/' + encodeURIComponent(name));
}

function TermLinks({ terms }) {
  if (!terms || !terms.length) return <span class="muted">—</span>;
  return terms.map((t, i) => (
    <span key={t.name}>
      {i ? ', ' : ''}
      <a href={termHref(t.name)} data-testid={`term-link-${t.name}`}>
        {t.title}
      </a>
    </span>
  ));
}

function TermList() {
  const state = useApi('/glossary');
  const terms = (state.data && state.data.terms) || [];
  return (
    <div class="page glossary" data-testid="glossary-page">
      <h1>Glossary</h1>
      <ErrorBanner error={state.error} />
      {state.loading ? <Loading label="Loading the glossary…" /> : null}
      {state.data && !terms.length ? <Empty>No glossary terms yet: apply GlossaryTerm specs.</Empty> : null}
      {terms.length ? (
        <div class="table-scroll">
          <table class="table" data-testid="glossary-table">
            <thead>
              <tr>
                <th>Term</th>
                <th>Definition</th>
                <th>Synonyms</th>
                <th>Scope</th>
                <th>Columns</th>
              </tr>
            </thead>
            <tbody>
              {terms.map((t) => (
                <tr key={t.name} data-testid={`glossary-row-${t.name}`}>
                  <td>
                    <a href={termHref(t.name)} data-testid={`glossary-term-${t.name}`}>
                      {t.title}
                    </a>
                  </td>
                  <td class="desc">{t.definition}</td>
                  <td>{t.synonyms.join(', ') || <span class="muted">—</span>}</td>
                  <td>{t.domain || 'global'}</td>
                  <td>{t.columns}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

function TermPage({ name }) {
  const state = useApi('/glossary/' + encodeURIComponent(name));
  const t = state.data;
  return (
    <div class="page glossary-term" data-testid="term-page">
      <p>
        <a href={href('/glossary')}>Glossary</a>
      </p>
      <ErrorBanner error={state.error} />
      {state.loading ? <Loading label="Loading the term…" /> : null}
      {t ? (
        <>
          <h1 data-testid="term-title">{t.title}</h1>
          <p data-testid="term-definition">{t.definition}</p>
          <dl class="kv">
            <dt>Scope</dt>
            <dd>{t.domain ? `domain ${t.domain}` : 'global'}</dd>
            <dt>Owners</dt>
            <dd>{t.owners.join(', ') || '—'}</dd>
            <dt>Synonyms</dt>
            <dd data-testid="term-synonyms">{t.synonyms.join(', ') || '—'}</dd>
            <dt>Related</dt>
            <dd>
              <TermLinks terms={t.related} />
            </dd>
          </dl>
          <h2>Columns that use it</h2>
          {t.columns.length ? (
            <div class="table-scroll">
              <table class="table" data-testid="term-columns">
                <thead>
                  <tr>
                    <th>Product</th>
                    <th>Version</th>
                    <th>Object</th>
                    <th>Column</th>
                    <th>Linked by</th>
                  </tr>
                </thead>
                <tbody>
                  {t.columns.map((c) => (
                    <tr key={`${c.address}.${c.object}.${c.column}`} data-testid={`term-column-${c.product}-${c.column}`}>
                      <td>
                        <a href={productHref(c.product)}>{c.address}</a>
                      </td>
                      <td>{c.version}</td>
                      <td>{c.object}</td>
                      <td>
                        <code>{c.column}</code>
                      </td>
                      <td>{c.via}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <Empty>No column names this term yet.</Empty>
          )}
        </>
      ) : null}
    </div>
  );
}

export function Glossary({ term }) {
  return term ? <TermPage name={decodeURIComponent(term)} /> : <TermList />;
}

/** A schema-table cell's extras: links to the column's glossary terms and its tag chips. */
export function ColumnTermsAndTags({ column }) {
  const terms = column.terms || [];
  const tags = column.tags || [];
  if (!terms.length && !tags.length) return null;
  return (
    <div class="column-meta">
      {terms.map((t) => (
        <a key={t} class="term-link" href={termHref(t)} data-testid={`column-term-${column.name}-${t}`}>
          {t}
        </a>
      ))}
      {tags.map((t) => (
        <span key={t} class="chip chip-tag" data-testid={`column-tag-${column.name}-${t}`}>
          {t}
        </span>
      ))}
    </div>
  );
}
