// Small shared pieces: error banner, loading and empty states, badges.

/** The server's messages advise CLI users with command lines; the web UI
 * says where to click instead. */
export function uiWording(text) {
  return String(text)
    .replace(/request it: weft access request (\S+?)(@v\d+)? --purpose "\.\.\."/g, "request it with 'Request access' on $1's page")
    .replace(/\s*\([^()]*\bweft [a-z]+[^()]*\)/g, '')
    .replace(/;\s*`weft [^`]*`[^;.]*/g, '');
}

export function ErrorBanner({ error, onDismiss, testid = 'error-banner', children }) {
  if (!error) return null;
  const title = error.title || 'Error';
  const detail = uiWording(error.detail !== undefined ? error.detail : String(error.message || error));
  return (
    <div class="banner banner-error" role="alert" data-testid={testid}>
      <div class="banner-body">
        <strong class="banner-title">{title}</strong>
        {error.status ? <span class="banner-status">{error.status}</span> : null}
        {detail ? <div class="banner-detail" data-testid={`${testid}-detail`}>{detail}</div> : null}
        {children}
      </div>
      {onDismiss ? (
        <button class="btn-icon" type="button" aria-label="Dismiss" onClick={onDismiss}>
          ×
        </button>
      ) : null}
    </div>
  );
}

export function Notice({ kind = 'info', children, testid }) {
  return (
    <div class={`banner banner-${kind}`} role="status" data-testid={testid}>
      <div class="banner-body">{children}</div>
    </div>
  );
}

export function Loading({ label = 'Loading…', testid }) {
  return (
    <div class="loading" role="status" aria-live="polite" data-testid={testid}>
      <span class="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ children, testid }) {
  return (
    <div class="empty" data-testid={testid}>
      {children}
    </div>
  );
}

const BADGE_KIND = {
  active: 'ok',
  fresh: 'ok',
  approved: 'ok',
  published: 'ok',
  passed: 'ok',
  clear: 'ok',
  gold: 'gold',
  silver: 'silver',
  bronze: 'bronze',
  stale: 'bad',
  failed: 'bad',
  rejected: 'bad',
  denied: 'bad',
  error: 'bad',
  retired: 'bad',
  revoked: 'muted',
  expired: 'muted',
  hidden: 'muted',
  deprecated: 'warn',
  warn: 'warn',
  warning: 'warn',
  pending: 'warn',
  draft: 'info',
  proposed: 'info',
  unknown: 'muted',
  pii: 'bad',
  restricted: 'bad',
  confidential: 'warn',
  internal: 'info',
  public: 'ok',
};

export function Badge({ value, kind, title, testid, children }) {
  const text = children ?? value;
  if (text === null || text === undefined || text === '') return null;
  const k = kind || BADGE_KIND[String(value ?? text).toLowerCase()] || 'neutral';
  return (
    <span class={`badge badge-${k}`} title={title} data-testid={testid}>
      {text}
    </span>
  );
}

export function Section({ title, actions, children, testid, id }) {
  return (
    <section class="section" data-testid={testid} id={id}>
      <header class="section-head">
        <h2>{title}</h2>
        {actions ? <div class="section-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

/** Loading / error / empty handling around an useApi() state. */
export function Async({ state, empty, isEmpty, label, children, testid }) {
  if (state.error) return <ErrorBanner error={state.error} testid={testid ? `${testid}-error` : undefined} />;
  if (state.loading && state.data === null) return <Loading label={label} testid={testid ? `${testid}-loading` : undefined} />;
  if (state.data === null || state.data === undefined) return null;
  if (isEmpty && isEmpty(state.data)) return <Empty testid={testid ? `${testid}-empty` : undefined}>{empty || 'Nothing here yet.'}</Empty>;
  return children(state.data);
}

export function Cell({ value }) {
  if (value === null || value === undefined) return <span class="null">null</span>;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
