import { type FormEvent, useState } from "react";

import { useAuth } from "../api/auth";

/** Asks for the gateway's bearer token when a request was refused; the token is kept in localStorage. */
export function TokenPrompt() {
  const { needsToken, hasToken, saveToken, dismiss } = useAuth();
  const [token, setToken] = useState("");
  if (!needsToken) return null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim()) saveToken(token.trim());
  };
  return (
    <div className="overlay">
      <form className="dialog" role="dialog" aria-modal="true" aria-labelledby="token-title" onSubmit={submit}>
        <h2 id="token-title">Access token required</h2>
        <p>
          {hasToken ? "The gateway refused the saved token." : "The gateway requires a bearer token."} It is the
          gateway's <code>WAYMARK_GATEWAY_TOKEN</code>; it is kept in this browser's local storage.
        </p>
        <label>
          Token
          <input
            type="password"
            autoComplete="off"
            autoFocus
            value={token}
            onChange={(event) => setToken(event.target.value)}
          />
        </label>
        <div className="buttons">
          <button type="submit" className="primary" disabled={!token.trim()}>
            Save token
          </button>
          <button type="button" onClick={dismiss}>
            Not now
          </button>
        </div>
      </form>
    </div>
  );
}
