/**
 * YAML documents written in the layout of Kestra's YAML mapper (Jackson, `MINIMIZE_QUOTES`, no
 * `---` of its own, lines never split): `key: value` blocks, list items at their key's indent,
 * strings quoted only when they would read back as something else, text with line breaks as a `|`
 * block, doubles in Java's form (`1.0`). As that mapper does, a field whose value is null is left out.
 */
import { Document, type ScalarTag, type Tags } from "yaml";
import { fieldNamesOf, IonAnnotated, IonDecimal, IonTimestamp } from "@saker/sdk/ion";
import { doubleOf, javaDoubleText, JavaDouble, recordOf } from "./values.ts";

/** Doubles as Java prints them (`1.0`, `1.0E10`), or YAML's `.inf`/`.nan`. */
const doubleTag: ScalarTag = {
  identify: (value) => doubleOf(value) !== undefined,
  default: true,
  tag: "tag:yaml.org,2002:float",
  resolve: (text) => text,
  stringify: ({ value }) => {
    const n = doubleOf(value)!;
    if (Number.isNaN(n)) return ".nan";
    return Number.isFinite(n) ? javaDoubleText(n) : n > 0 ? ".inf" : "-.inf";
  },
};

/** Ion decimals as Java's `BigDecimal.toString` writes them (`12.30`, `1.5E+2`). */
const decimalTag: ScalarTag = {
  identify: (value) => value instanceof IonDecimal,
  default: true,
  tag: "tag:yaml.org,2002:float",
  resolve: (text) => text,
  stringify: ({ value }) => (value as IonDecimal).text.replace(/[dD]/, "E").replace(/\.$/, ""),
};

/** YAML 1.1 tags Kestra's reader reads as strings, or that are no plain data (a Map is a mapping, not an `!!omap`). */
const LEFT_OUT = new Set(["timestamp", "omap", "pairs", "set"].map((name) => `tag:yaml.org,2002:${name}`));

/**
 * YAML 1.1's tags, so that strings such as `yes`, `y`, `~` or `010` are quoted as Jackson quotes
 * them, but not its timestamps and sexagesimal numbers, which Kestra's reader reads as strings.
 */
function tags(base: Tags): Tags {
  return [
    doubleTag,
    decimalTag,
    ...base.filter((t) => typeof t !== "object" || (!LEFT_OUT.has(t.tag) && (t as ScalarTag).format !== "TIME")),
  ];
}

/** What the `yaml` package writes for a value: objects as Maps (keeping their order, nulls left out), Ion's tagged values as Kestra's Java types print. */
function yamlValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(yamlValue);
  if (value instanceof IonTimestamp) return value.text;
  if (value instanceof IonAnnotated) return yamlValue(value.value);
  if (value instanceof JavaDouble || value instanceof IonDecimal) return value;
  const record = recordOf(value);
  if (!record) return value;
  const map = new Map<string, unknown>();
  for (const key of fieldNamesOf(record)) {
    const item = record[key];
    if (item !== null && item !== undefined) map.set(key, yamlValue(item));
  }
  return map;
}

/** Writes values as YAML documents, one at a time. */
export class YamlWriter {
  private readonly doc = new Document(null, { version: "1.1", customTags: tags });

  /** One value as a YAML document, without `---`, ending with a line break. */
  document(value: unknown): string {
    this.doc.contents = this.doc.createNode(yamlValue(value), { aliasDuplicateObjects: false });
    return this.doc.toString({ indentSeq: false, lineWidth: 0, blockQuote: "literal", singleQuote: false });
  }
}
