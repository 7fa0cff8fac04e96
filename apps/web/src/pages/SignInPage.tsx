import { useState } from 'react';

/** Sign-in with an API key (kept in session storage by the caller, never put in the URL). */
export function SignInPage({ onSignIn }: { onSignIn: (apiKey: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <main className="signin">
      <h1>Frame2Frame</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const trimmed = key.trim();
          if (!/^f2f_\S+$/.test(trimmed)) {
            setError('An API key starts with f2f_ (npm start prints one).');
            return;
          }
          onSignIn(trimmed);
        }}
      >
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-describedby="api-key-help"
          aria-invalid={error ? true : undefined}
        />
        <p id="api-key-help" className="help">
          Kept in this tab only (session storage) and sent as <code>Authorization: Bearer</code>.
        </p>
        {error ? (
          <p role="alert" className="error">
            {error}
          </p>
        ) : null}
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
