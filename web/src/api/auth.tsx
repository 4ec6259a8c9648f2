/**
 * Token handling: any request refused for want of a token opens the token prompt; saving a token stores it in
 * localStorage, reconnects the websocket and bumps `epoch`, which makes every query and subscription run again.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";

import { onSubscriptionUnauthorized, resetSubscriptionClient } from "./client";
import { getToken, setToken } from "./settings";

interface AuthState {
  /** changes whenever the token changes: data hooks depend on it */
  epoch: number;
  needsToken: boolean;
  hasToken: boolean;
  requireToken: () => void;
  saveToken: (token: string | null) => void;
  dismiss: () => void;
}

const AuthContext = createContext<AuthState>({
  epoch: 0,
  needsToken: false,
  hasToken: false,
  requireToken: () => undefined,
  saveToken: () => undefined,
  dismiss: () => undefined,
});

export function AuthProvider({ children }: { children: ReactNode }) {
  const [epoch, setEpoch] = useState(0);
  const [needsToken, setNeedsToken] = useState(false);
  const [hasToken, setHasToken] = useState(() => getToken() !== null);

  const requireToken = useCallback(() => setNeedsToken(true), []);
  const saveToken = useCallback((token: string | null) => {
    setToken(token);
    setHasToken(getToken() !== null);
    resetSubscriptionClient();
    setNeedsToken(false);
    setEpoch((n) => n + 1);
  }, []);
  const dismiss = useCallback(() => setNeedsToken(false), []);

  useEffect(() => onSubscriptionUnauthorized(requireToken), [requireToken]);

  const value = useMemo(
    () => ({ epoch, needsToken, hasToken, requireToken, saveToken, dismiss }),
    [epoch, needsToken, hasToken, requireToken, saveToken, dismiss],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  return useContext(AuthContext);
}
