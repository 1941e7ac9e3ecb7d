/**
 * A new flow (`/flows/new`): the editor on a starter flow in the default namespace of the
 * Settings; Save creates it (`POST /flows`) and opens its Edit tab.
 */
import { useMemo } from "react";
import { api } from "../api/client.ts";
import type { Flow } from "../api/types.ts";
import { FlowEditor } from "../components/editor/FlowEditor.tsx";
import { Page } from "../components/Page.tsx";
import { useSettings } from "../lib/settings.ts";
import { navigate, pathOf } from "../router.tsx";

/** The YAML a new flow starts from. */
export function starterFlow(namespace: string): string {
  return `id: my_flow
namespace: ${namespace}

tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: Hello World!
`;
}

export default function FlowCreate() {
  const settings = useSettings();
  const namespace = settings.defaultNamespace || "company.team";
  const source = useMemo(() => starterFlow(namespace), [namespace]);
  const save = async (yaml: string) => {
    const flow = await api.post<Flow>("/flows", yaml, { contentType: "application/x-yaml" });
    navigate(pathOf("flows", "edit", flow.namespace, flow.id, "edit"));
  };
  return (
    <Page title="New flow" breadcrumbs={[{ label: "Flows", to: "/flows" }, { label: "New flow" }]}>
      <FlowEditor source={source} onSave={save} />
    </Page>
  );
}
