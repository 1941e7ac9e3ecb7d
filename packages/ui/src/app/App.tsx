/** The frame: sidebar, the connection banner, and the page that matches the URL. */
import { Suspense, useEffect } from "react";
import { useConnection } from "../api/connection.ts";
import { ErrorBoundary } from "../components/ErrorBoundary.tsx";
import { NotFoundPage } from "../components/ErrorView.tsx";
import { Link, matchPath, navigate, useLocation } from "../router.tsx";
import { SignIn } from "../pages/SignIn.tsx";
import { NAVIGATION, ROUTES } from "./routes.ts";

function Sidebar({ path }: { path: string }) {
  return (
    <aside className="sidebar">
      <Link to="/dashboard" className="brand">
        <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" width={22} height={22} /> Saker
      </Link>
      <nav aria-label="Main">
        {NAVIGATION.map((item) => (
          <Link
            key={item.to}
            to={item.to}
            className={path === item.to || path.startsWith(item.to + "/") ? "active" : ""}
          >
            {item.label}
          </Link>
        ))}
      </nav>
    </aside>
  );
}

function ConnectionBanner({ state }: { state: string }) {
  if (state !== "away") return null;
  return (
    <div className="banner banner-away" role="status">
      The server went away. Reconnecting…
    </div>
  );
}

export function App() {
  const location = useLocation();
  const { state, epoch } = useConnection();
  useEffect(() => {
    if (location.path === "/" || location.path === "") navigate("/dashboard", { replace: true });
  }, [location.path]);
  if (state === "signin" || location.path === "/login") return <SignIn />;
  let content = <NotFoundPage />;
  // the page stays mounted while only its parameters change (a tab, another flow): it reads
  // them again through its hooks' deps; another route, or the server back, mounts it anew
  let pattern = "";
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, location.path);
    if (!params) continue;
    const Page = route.page.component();
    content = <Page params={params} />;
    pattern = route.pattern;
    break;
  }
  return (
    <div className="app">
      <Sidebar path={location.path} />
      <main className="content">
        <ConnectionBanner state={state} />
        <ErrorBoundary key={pattern + ":" + epoch} resetKey={location.path}>
          <Suspense fallback={<div className="loading">Loading…</div>}>{content}</Suspense>
        </ErrorBoundary>
      </main>
    </div>
  );
}
