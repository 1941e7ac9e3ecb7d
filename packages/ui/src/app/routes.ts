/**
 * Every page and its URL (below /ui). Pages are loaded on first use, so the first load carries
 * only the frame; the editor (CodeMirror) comes with the pages that use it.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from "react";
import { connection } from "../api/connection.ts";

export type PageComponent = ComponentType<{ params: Record<string, string> }>;

/** A page loaded on first use; a load that failed (the server went away) is tried again on the next render. */
export interface LazyPage {
  component(): LazyExoticComponent<PageComponent>;
}

export interface RouteDef {
  pattern: string;
  page: LazyPage;
}

function page(load: () => Promise<{ default: PageComponent }>): LazyPage {
  let current: LazyExoticComponent<PageComponent> | undefined;
  const fresh = () =>
    lazy(() =>
      load().catch((error: unknown) => {
        current = undefined;
        connection.lost();
        throw error;
      }),
    );
  return { component: () => (current ??= fresh()) };
}

export const ROUTES: RouteDef[] = [
  { pattern: "/dashboard", page: page(() => import("../pages/Dashboard.tsx")) },
  { pattern: "/flows", page: page(() => import("../pages/FlowsList.tsx")) },
  { pattern: "/flows/new", page: page(() => import("../pages/FlowCreate.tsx")) },
  { pattern: "/flows/edit/:namespace/:id/:tab?", page: page(() => import("../pages/FlowPage.tsx")) },
  { pattern: "/executions", page: page(() => import("../pages/ExecutionsList.tsx")) },
  { pattern: "/executions/:namespace/:flowId/:id/:tab?", page: page(() => import("../pages/ExecutionPage.tsx")) },
  { pattern: "/logs", page: page(() => import("../pages/LogsPage.tsx")) },
  { pattern: "/namespaces", page: page(() => import("../pages/NamespacesList.tsx")) },
  { pattern: "/namespaces/edit/:namespace/:tab?", page: page(() => import("../pages/NamespacePage.tsx")) },
  { pattern: "/admin/triggers", page: page(() => import("../pages/TriggersAdmin.tsx")) },
  { pattern: "/plugins", page: page(() => import("../pages/PluginsCatalogue.tsx")) },
  { pattern: "/plugins/:type", page: page(() => import("../pages/PluginTypePage.tsx")) },
  { pattern: "/admin/plugins", page: page(() => import("../pages/VersionedPlugins.tsx")) },
  { pattern: "/settings", page: page(() => import("../pages/SettingsPage.tsx")) },
];

/** The sidebar's links. */
export const NAVIGATION: { label: string; to: string }[] = [
  { label: "Dashboard", to: "/dashboard" },
  { label: "Flows", to: "/flows" },
  { label: "Executions", to: "/executions" },
  { label: "Logs", to: "/logs" },
  { label: "Namespaces", to: "/namespaces" },
  { label: "Triggers", to: "/admin/triggers" },
  { label: "Plugins", to: "/plugins" },
  { label: "Versioned plugins", to: "/admin/plugins" },
  { label: "Settings", to: "/settings" },
];
