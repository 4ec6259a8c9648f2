import { AuthProvider } from "./api/auth";
import { TokenPrompt } from "./components/TokenPrompt";
import { OverviewPage } from "./pages/Overview";
import { RunDetailPage } from "./pages/RunDetail";
import { RunsPage } from "./pages/Runs";
import { SettingsPage } from "./pages/Settings";
import { StartRunPage } from "./pages/StartRun";
import { match, useLocation } from "./router";

const NAV = [
  { to: "/", label: "Overview" },
  { to: "/runs", label: "Runs" },
  { to: "/start", label: "Start a run" },
  { to: "/settings", label: "Settings" },
];

function Page() {
  const { path, params } = useLocation();
  const run = match("/runs/:runId", path);
  if (run) return <RunDetailPage key={run["runId"]} runId={run["runId"] ?? ""} />;
  switch (path) {
    case "/":
      return <OverviewPage />;
    case "/runs":
      return <RunsPage params={params} />;
    case "/start":
      return <StartRunPage params={params} />;
    case "/settings":
      return <SettingsPage />;
    default:
      return (
        <p className="state state-empty">
          No page at <code>{path}</code>.
        </p>
      );
  }
}

function Nav() {
  const { path } = useLocation();
  const current = (to: string) => (to === "/" ? path === "/" : path === to || path.startsWith(`${to}/`));
  return (
    <nav aria-label="Main">
      <a className="brand" href="#/">
        Waymark
      </a>
      <ul>
        {NAV.map((item) => (
          <li key={item.to}>
            <a href={`#${item.to}`} aria-current={current(item.to) ? "page" : undefined}>
              {item.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function App() {
  return (
    <AuthProvider>
      <header>
        <Nav />
      </header>
      <main>
        <Page />
      </main>
      <TokenPrompt />
    </AuthProvider>
  );
}
