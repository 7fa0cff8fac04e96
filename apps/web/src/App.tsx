import { useEffect, useMemo, useState } from 'react';
import { Provider, useQuery } from 'urql';

import { makeClient } from './client';
import { describeError } from './errors';
import { ViewerQuery } from './graphql/documents';
import { AnalyticsPage } from './pages/AnalyticsPage';
import { EditPage } from './pages/EditPage';
import { HistoryPage } from './pages/HistoryPage';
import { NewEditPage } from './pages/NewEditPage';
import { SignInPage } from './pages/SignInPage';
import { useRoute } from './route';
import { forgetApiKey, readApiKey, saveApiKey } from './session';

export function App() {
  const [apiKey, setApiKey] = useState(() => readApiKey());
  const connection = useMemo(() => (apiKey ? makeClient(apiKey) : null), [apiKey]);
  useEffect(() => () => connection?.dispose(), [connection]);

  if (!apiKey || !connection) {
    return (
      <SignInPage
        onSignIn={(key) => {
          saveApiKey(key);
          setApiKey(key);
        }}
      />
    );
  }
  const signOut = () => {
    forgetApiKey();
    setApiKey(null);
  };
  return (
    <Provider value={connection.client}>
      <Shell onSignOut={signOut} />
    </Provider>
  );
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const route = useRoute();
  const [viewer] = useQuery({ query: ViewerQuery });
  const refused = viewer.error?.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
  return (
    <>
      <header className="top">
        <a className="brand" href="#/">
          Frame2Frame
        </a>
        <nav aria-label="Main">
          <a href="#/" aria-current={route.name === 'new' ? 'page' : undefined}>
            New edit
          </a>
          <a href="#/history" aria-current={route.name === 'history' ? 'page' : undefined}>
            History
          </a>
          <a href="#/analytics" aria-current={route.name === 'analytics' ? 'page' : undefined}>
            Analytics
          </a>
        </nav>
        <span className="tenant" data-testid="tenant">
          {viewer.data ? (
            <>
              Tenant <strong>{viewer.data.viewer.tenantName}</strong>
            </>
          ) : viewer.error ? (
            <span className="error">{describeError(viewer.error)}</span>
          ) : null}
        </span>
        <button type="button" className="secondary" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main>
        {refused ? (
          <p role="alert" className="error">
            This API key was refused: {describeError(viewer.error)}. Sign out and use another.
          </p>
        ) : null}
        {route.name === 'new' && <NewEditPage />}
        {route.name === 'edit' && <EditPage id={route.id} />}
        {route.name === 'history' && <HistoryPage />}
        {route.name === 'analytics' && <AnalyticsPage />}
      </main>
    </>
  );
}
