/** The loading, error and empty states every page shows the same way. */
import type { ReactNode } from "react";

import { errorMessage, NetworkError, UnauthorizedError } from "../api/errors";

export function Loading({ what }: { what: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function ErrorMessage({ error, title, retry }: { error: unknown; title?: string; retry?: () => void }) {
  let hint: ReactNode = null;
  if (error instanceof UnauthorizedError) hint = "Enter an access token to continue.";
  else if (error instanceof NetworkError) hint = "Is the gateway running (`waymark dev` or `waymark gateway`)?";
  return (
    <div className="state state-error" role="alert">
      {title && <strong>{title}</strong>}
      <pre className="error-text">{errorMessage(error)}</pre>
      {hint && <p className="hint">{hint}</p>}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state state-empty">{children}</p>;
}
