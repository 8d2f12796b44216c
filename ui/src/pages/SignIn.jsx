import { useState } from 'preact/hooks';
import { api } from '../lib/api.js';
import { ErrorBanner } from '../components.jsx';

export function SignIn({ onSignedIn, error: initialError }) {
  const [token, setTokenText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(initialError);

  const submit = async (e) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) {
      setError({ title: 'Token required', detail: 'Paste the API token your platform admin gave you.' });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const me = await api('/me', { token: t });
      onSignedIn(t, me);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <div class="signin-wrap">
      <form class="signin card" onSubmit={submit} data-testid="sign-in-form">
        <div class="brand brand-large">
          <span class="brand-mark" aria-hidden="true" />
          Weft
        </div>
        <p class="muted">The data mesh's marketplace, access requests, governed SQL, cost and governance.</p>
        <ErrorBanner error={error} testid="sign-in-error" />
        <label for="token">Access token</label>
        <textarea
          id="token"
          rows={3}
          autocomplete="off"
          spellcheck={false}
          placeholder="Paste your API token (weft_…)"
          data-testid="token-input"
          value={token}
          onInput={(e) => setTokenText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) submit(e);
          }}
        />
        <button class="btn btn-primary" type="submit" disabled={busy} data-testid="sign-in">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="hint">The token stays in this browser tab (session storage) until you sign out or close the tab.</p>
      </form>
    </div>
  );
}
