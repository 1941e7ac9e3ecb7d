/** Enabling or disabling a flow by editing its source (a new revision, as Kestra does). */
import YAML from "yaml";

/** The source with `disabled` set; comments and layout are kept. */
export function withDisabled(source: string, disabled: boolean): string {
  const doc = YAML.parseDocument(source);
  if (!disabled && !doc.has("disabled")) return source;
  doc.set("disabled", disabled);
  return doc.toString();
}
