import { type FormEvent, useState } from "react";

import { useAuth } from "../api/auth";
import { getJaegerUrl, setJaegerUrl } from "../api/settings";

/** The token and the Jaeger URL, both kept in this browser's localStorage. */
export function SettingsPage() {
  const { hasToken, saveToken } = useAuth();
  const [token, setToken] = useState("");
  const [jaeger, setJaeger] = useState(getJaegerUrl() ?? "");
  const [saved, setSaved] = useState<string>();

  const submitToken = (event: FormEvent) => {
    event.preventDefault();
    saveToken(token.trim() || null);
    setToken("");
    setSaved(token.trim() ? "Token saved." : "Token cleared.");
  };
  const submitJaeger = (event: FormEvent) => {
    event.preventDefault();
    setJaegerUrl(jaeger.trim() || null);
    setSaved(jaeger.trim() ? "Jaeger URL saved." : "Jaeger URL cleared.");
  };

  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      {saved && <p role="status">{saved}</p>}
      <form aria-label="Access token" onSubmit={submitToken}>
        <h2>Access token</h2>
        <p className="muted">
          {hasToken ? "A token is saved." : "No token is saved."} Needed when the gateway sets{" "}
          <code>WAYMARK_GATEWAY_TOKEN</code>. Leave empty and save to clear it.
        </p>
        <label>
          Token
          <input type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} />
        </label>
        <button type="submit">Save token</button>
      </form>
      <form aria-label="Jaeger" onSubmit={submitJaeger}>
        <h2>Trace links</h2>
        <p className="muted">
          With a Jaeger URL, a run's trace id links to its trace. The URL can also be given once as{" "}
          <code>?jaeger=http://127.0.0.1:16686</code>.
        </p>
        <label>
          Jaeger URL
          <input
            type="url"
            placeholder="http://127.0.0.1:16686"
            value={jaeger}
            onChange={(e) => setJaeger(e.target.value)}
          />
        </label>
        <button type="submit">Save Jaeger URL</button>
      </form>
    </section>
  );
}
