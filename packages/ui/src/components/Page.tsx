/** A page's frame: its title, the actions on the right, and optional tabs below. */
import type { ReactNode } from "react";
import { Link } from "../router.tsx";

export interface Tab {
  id: string;
  label: string;
  to: string;
}

export function Page({
  title,
  breadcrumbs,
  actions,
  tabs,
  activeTab,
  children,
}: {
  title: ReactNode;
  breadcrumbs?: { label: string; to?: string }[];
  actions?: ReactNode;
  tabs?: Tab[];
  activeTab?: string;
  children: ReactNode;
}) {
  return (
    <section className="page">
      <header className="page-header">
        <div>
          {breadcrumbs?.length ? (
            <nav className="breadcrumbs" aria-label="Breadcrumbs">
              {breadcrumbs.map((b, i) => (
                <span key={i}>
                  {b.to ? <Link to={b.to}>{b.label}</Link> : b.label}
                  {i < breadcrumbs.length - 1 ? " / " : ""}
                </span>
              ))}
            </nav>
          ) : null}
          <h1>{title}</h1>
        </div>
        <div className="page-actions">{actions}</div>
      </header>
      {tabs?.length ? (
        <nav className="tabs" role="tablist">
          {tabs.map((t) => (
            <Link
              key={t.id}
              to={t.to}
              role="tab"
              aria-selected={t.id === activeTab}
              className={t.id === activeTab ? "tab active" : "tab"}
            >
              {t.label}
            </Link>
          ))}
        </nav>
      ) : null}
      <div className="page-body">{children}</div>
    </section>
  );
}
