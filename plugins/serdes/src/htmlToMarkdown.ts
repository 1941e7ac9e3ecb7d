/**
 * HTML to Markdown with turndown, set to the choices of the converter Kestra uses (flexmark's
 * html2md, ATX headings): `*` bullets and `1.` numbers with the item's text indented by the marker's
 * width, `*emphasis*`, `**strong**`, `~~deleted~~`, code in a ``` fence when it names its language
 * (or is a `<pre>` without `<code>`) and indented by four spaces otherwise, `*** ** * ** ***` rules,
 * `<url>` for a link whose text is its URL, tables as Markdown tables with aligned columns.
 */
import TurndownService from "turndown";

export interface HtmlToMarkdownOptions {
  /** CSS selectors of the elements left out (`script`, `nav`, `div.ads`). */
  ignoreTags?: readonly string[];
  /** The URI relative `href` and `src` are resolved against. */
  baseUri?: string;
}

/** The part of the DOM (domino's, inside turndown) the rules read. */
interface DomNode {
  readonly nodeName: string;
  readonly childNodes: ArrayLike<DomNode>;
  readonly children: ArrayLike<DomNode>;
  readonly textContent: string | null;
  readonly innerHTML: string;
  readonly parentNode: DomNode | null;
  readonly nextSibling: DomNode | null;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  matches(selector: string): boolean;
}

/** A selector of `ignoreTags` that the HTML parser refuses. */
export class SelectorError extends Error {}

/** `url` resolved against `base` (as jsoup's `absUrl`: unchanged when either cannot be read). */
function absolute(url: string, base: string | undefined): string {
  if (!base) return url;
  try {
    return new URL(url, base).href;
  } catch {
    return url;
  }
}

const destination = (url: string) => {
  const escaped = url.replace(/([<>()])/g, "\\$1");
  return /\s/.test(escaped) ? `<${escaped}>` : escaped;
};
const titlePart = (title: string | null) => (title ? ` "${title.replace(/\n+\s*/g, " ").replace(/"/g, '\\"')}"` : "");

/** The Markdown table of a `<table>`: a header row (the first row), a separator, the other rows, columns padded to one width. */
function table(service: TurndownService, node: DomNode): string {
  const rows: DomNode[] = [];
  for (const child of Array.from(node.children)) {
    if (child.nodeName === "TR") rows.push(child);
    else if (["THEAD", "TBODY", "TFOOT"].includes(child.nodeName))
      for (const row of Array.from(child.children)) if (row.nodeName === "TR") rows.push(row);
  }
  const cells = rows.map((row) =>
    Array.from(row.children)
      .filter((cell) => cell.nodeName === "TD" || cell.nodeName === "TH")
      .map((cell) =>
        service
          .turndown(cell.innerHTML)
          .replace(/\s*\n\s*/g, " ")
          .replace(/\|/g, "\\|"),
      ),
  );
  if (cells.length === 0) return "";
  const columns = Math.max(...cells.map((row) => row.length));
  const align = Array.from(rows[0]!.children).map((cell) => {
    const text = `${cell.getAttribute("align") ?? ""} ${cell.getAttribute("style") ?? ""}`.toLowerCase();
    return /\bcenter\b/.test(text) ? "center" : /\bright\b/.test(text) ? "right" : /\bleft\b/.test(text) ? "left" : "";
  });
  const widths = Array.from({ length: columns }, (_, c) => Math.max(3, ...cells.map((row) => (row[c] ?? "").length)));
  const pad = (text: string, c: number) => {
    const room = widths[c]! - text.length;
    if (align[c] === "right") return " ".repeat(room) + text;
    if (align[c] === "center") return " ".repeat(room >> 1) + text + " ".repeat(room - (room >> 1));
    return text + " ".repeat(room);
  };
  const line = (row: string[]) => `| ${widths.map((_, c) => pad(row[c] ?? "", c)).join(" | ")} |`;
  const separator = widths.map((width, c) => {
    const dashes = "-".repeat(width + 2);
    if (align[c] === "center") return `:${dashes.slice(2)}:`;
    if (align[c] === "right") return `${dashes.slice(1)}:`;
    if (align[c] === "left") return `:${dashes.slice(1)}`;
    return dashes;
  });
  return `\n\n${[line(cells[0]!), `|${separator.join("|")}|`, ...cells.slice(1).map(line)].join("\n")}\n\n`;
}

/** A code block as flexmark writes it: fenced with a language (or without `<code>`), else indented. */
function codeBlock(node: DomNode): string {
  const code = Array.from(node.childNodes).find((child) => child.nodeName === "CODE" || child.nodeName === "TT");
  const language = (/language-(\S+)/.exec(code?.getAttribute("class") ?? "") ?? [])[1] ?? "";
  const text = (node.textContent ?? "").replace(/\n$/, "");
  if (code && language === "" && text.trim() !== "") return `\n\n    ${text.replace(/\n/g, "\n    ")}\n\n`;
  let fence = "```";
  for (const run of text.match(/`{3,}/g) ?? []) if (run.length >= fence.length) fence = "`".repeat(run.length + 1);
  return `\n\n${fence}${language}\n${text}\n${fence}\n\n`;
}

/** A configured converter; `options` are Kestra's `ignoreTags` and `baseUri`. */
export function htmlConverter(options: HtmlToMarkdownOptions): TurndownService {
  const service = new TurndownService({
    headingStyle: "atx",
    hr: "*** ** * ** ***",
    bulletListMarker: "*",
    codeBlockStyle: "fenced",
    fence: "```",
    emDelimiter: "*",
    strongDelimiter: "**",
    linkStyle: "inlined",
    br: "  ",
  });
  service.remove(["script", "style", "title", "template", "meta", "link", "head", "noscript"]);
  service.addRule("flexmarkListItem", {
    filter: "li",
    replacement(content, node) {
      const parent = node.parentNode as DomNode | null;
      let prefix = "* ";
      if (parent?.nodeName === "OL") {
        const start = Number(parent.getAttribute("start") ?? "1");
        prefix = `${(Number.isFinite(start) ? start : 1) + Array.from(parent.children).indexOf(node)}. `;
      }
      const paragraph = /\n$/.test(content);
      const body = content.replace(/^\n+|\n+$/g, "") + (paragraph ? "\n" : "");
      // the item's lines indented by the marker's width (blank ones left empty, as flexmark trims them)
      return prefix + body.replace(/\n(?=[^\n])/g, `\n${" ".repeat(prefix.length)}`) + (node.nextSibling ? "\n" : "");
    },
  });
  service.addRule("flexmarkQuote", {
    filter: "blockquote",
    replacement: (content) =>
      `\n\n${content
        .replace(/^\n+|\n+$/g, "")
        .replace(/^/gm, "> ")
        .replace(/^> $/gm, ">")}\n\n`,
  });
  service.addRule("flexmarkCode", { filter: "pre", replacement: (_content, node) => codeBlock(node) });
  service.addRule("flexmarkTable", { filter: "table", replacement: (_content, node) => table(service, node) });
  service.addRule("flexmarkLink", {
    filter: (node) => node.nodeName === "A" && node.getAttribute("href") !== null,
    replacement(content, node) {
      const href = absolute(node.getAttribute("href")!, options.baseUri);
      const text = content.trim();
      const title = node.getAttribute("title");
      if (text === "" && href.includes("#")) return ""; // an anchor (flexmark drops it)
      if (text === node.getAttribute("href") && !title) return `<${href}>`;
      return `[${text}](${destination(href)}${titlePart(title)})`;
    },
  });
  service.addRule("flexmarkImage", {
    filter: "img",
    replacement(_content, node) {
      const src = node.getAttribute("src");
      if (!src) return "";
      const alt = (node.getAttribute("alt") ?? "").trim().replace(/[[\]]/g, "\\$&");
      return `![${alt}](${destination(absolute(src, options.baseUri))}${titlePart(node.getAttribute("title"))})`;
    },
  });
  const wrap = (mark: string) => (content: string) => (content.trim() ? `${mark}${content}${mark}` : "");
  service.addRule("flexmarkDeleted", { filter: ["del", "s", "strike"], replacement: wrap("~~") });
  service.addRule("flexmarkInserted", { filter: ["ins", "u"], replacement: wrap("++") });
  service.addRule("flexmarkSub", { filter: ["sub"], replacement: wrap("~") });
  service.addRule("flexmarkSup", { filter: ["sup"], replacement: wrap("^") });
  service.addRule("flexmarkCheckbox", {
    filter: (node) => node.nodeName === "INPUT" && (node.getAttribute("type") ?? "").toLowerCase() === "checkbox",
    replacement: (_content, node) => (node.hasAttribute("checked") ? "[x] " : "[ ] "),
  });
  const selectors = options.ignoreTags ?? [];
  // added last, so tried first: an ignored element is left out whatever rule would convert it
  if (selectors.length > 0)
    service.addRule("ignoreTags", {
      filter: (node) =>
        selectors.some((selector) => {
          try {
            return (node as unknown as DomNode).matches(selector);
          } catch (error) {
            throw new SelectorError(`'${selector}' is not a CSS selector: ${(error as Error).message}`);
          }
        }),
      replacement: () => "",
    });
  return service;
}

/** HTML converted to Markdown, ending with a line break as flexmark ends it (empty when there is nothing). */
export function htmlToMarkdown(html: string, options: HtmlToMarkdownOptions = {}): string {
  const markdown = htmlConverter(options).turndown(html);
  return markdown === "" ? "" : `${markdown}\n`;
}
