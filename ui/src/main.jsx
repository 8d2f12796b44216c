import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import './styles.css';
import { api, getToken, onUnauthorized, setToken } from './lib/api.js';
import { href, useRoute } from './lib/router.js';
import { Loading } from './components.jsx';
import { MeContext } from './lib/me.js';
import { SignIn } from './pages/SignIn.jsx';
import { Marketplace } from './pages/Marketplace.jsx';
import { Product } from './pages/Product.jsx';
import { Inbox } from './pages/Inbox.jsx';
import { Console } from './pages/Console.jsx';
import { Cost } from './pages/Cost.jsx';
import { Governance } from './pages/Governance.jsx';
import { Incidents } from './pages/Incidents.jsx';
import { Glossary } from './pages/Glossary.jsx';

const NAV = [
  { path: '/', label: 'Marketplace', testid: 'nav-marketplace', match: (p) => p === '/' || p.startsWith('/product') },
  { path: '/glossary', label: 'Glossary', testid: 'nav-glossary' },
  { path: '/access', label: 'Access', testid: 'nav-access' },
  { path: '/sql', label: 'SQL console', testid: 'nav-sql' },
  { path: '/incidents', label: 'Incidents', testid: 'nav-incidents' },
  { path: '/cost', label: 'Cost', testid: 'nav-cost' },
  { path: '/governance', label: 'Governance', testid: 'nav-governance' },
];

function Header({ me, route, onSignOut }) {
  return (
    <header class="topbar">
      <a class="brand" href={href('/')} data-testid="brand">
        <span class="brand-mark" aria-hidden="true" />
        Weft
      </a>
      <nav class="nav" aria-label="Main">
        {NAV.map((n) => {
          const active = n.match ? n.match(route.path) : route.path.startsWith(n.path);
          return (
            <a key={n.path} href={href(n.path)} class={active ? 'active' : ''} data-testid={n.testid} aria-current={active ? 'page' : undefined}>
              {n.label}
            </a>
          );
        })}
      </nav>
      <div class="whoami">
        <span class="principal" data-testid="principal" title={(me.groups || []).join(', ')}>
          {me.principal}
        </span>
        {(me.roles || []).map((r) => (
          <span key={r} class="role">
            {r}
          </span>
        ))}
        <button type="button" class="btn btn-ghost" data-testid="sign-out" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}

function Page({ route }) {
  const [first, second] = route.segments;
  switch (first) {
    case undefined:
    case 'search':
      return <Marketplace route={route} />;
    case 'product':
      return <Product id={second} route={route} />;
    case 'glossary':
      return <Glossary term={second} />;
    case 'access':
      return <Inbox route={route} />;
    case 'sql':
      return <Console route={route} />;
    case 'incidents':
      return <Incidents route={route} />;
    case 'cost':
      return <Cost route={route} />;
    case 'governance':
      return <Governance route={route} />;
    default:
      return (
        <div class="page">
          <h1>Not found</h1>
          <p>
            There is no page at <code>{route.path}</code>. <a href={href('/')}>Go to the marketplace.</a>
          </p>
        </div>
      );
  }
}

function App() {
  const route = useRoute();
  // me: undefined while checking a stored token, null when signed out.
  const [me, setMe] = useState(getToken() ? undefined : null);
  const [signInError, setSignInError] = useState(null);

  const signOut = useCallback((why) => {
    setToken('');
    setMe(null);
    setSignInError(why || null);
  }, []);

  useEffect(() => {
    onUnauthorized((err) => signOut({ title: 'Signed out', detail: err.detail || 'The token is no longer valid.' }));
    const token = getToken();
    if (!token) return;
    api('/me').then(
      (m) => setMe(m),
      (err) => {
        if (err.status === 401) signOut(err);
        else {
          setMe(null);
          setSignInError(err);
        }
      },
    );
  }, [signOut]);

  const signedIn = useCallback((token, m) => {
    setToken(token);
    setSignInError(null);
    setMe(m);
  }, []);

  if (me === undefined) return <Loading label="Checking your session…" testid="session-loading" />;
  if (me === null) return <SignIn onSignedIn={signedIn} error={signInError} />;
  return (
    <MeContext.Provider value={me}>
      <Header me={me} route={route} onSignOut={() => signOut(null)} />
      <main class="main" data-testid="main">
        <Page route={route} />
      </main>
    </MeContext.Provider>
  );
}

render(<App />, document.getElementById('app'));
