/**
 * `io.kestra.plugin.serdes.markdown.*`: Markdown to HTML (commonmark.js, the reference
 * implementation of the CommonMark spec Kestra's commonmark-java follows), Markdown to plain text
 * (what Kestra keeps of a document), HTML to Markdown (turndown, set as Kestra's flexmark converter).
 */
import type { Node } from "commonmark";
import { defineTask, NonRetryableError, type RunContext, z } from "@saker/sdk";
import { decodeText, decoderFor, encodingFor } from "./charset.ts";
import { from, uriOutput } from "./common.ts";
import { storeStream } from "./store.ts";

/** commonmark and turndown load with a Markdown task's first run, not with the plugin (Saker starts without them). */
const commonmark = () => import("commonmark");
const turndown = () => import("./htmlToMarkdown.ts");

const charset = z.string().default("UTF-8").describe("The charset of the files read and written.");

/** A whole text file (Markdown and HTML documents are read whole, as Kestra reads them). */
async function readText(ctx: RunContext, uri: string, name: string): Promise<string> {
  const decoder = decoderFor(name);
  let text = "";
  for await (const piece of decodeText(await ctx.storage.getFile(uri), decoder)) text += piece;
  return text;
}

/** Stores a converted document; the `bytes` metric is its length in characters, as Kestra counts it. */
async function storeText(ctx: RunContext, text: string, name: string, charsetName: string): Promise<{ uri: string }> {
  const encoding = encodingFor(charsetName);
  const uri = await storeStream(
    ctx,
    name,
    (async function* () {
      yield Buffer.from(text, encoding);
    })(),
  );
  ctx.metric({ name: "bytes", type: "counter", value: text.length });
  return { uri };
}

/**
 * The text Kestra keeps of a Markdown document: text and link texts, a space for a soft line break,
 * a line break after each paragraph, heading and hard break, `- ` before each list item (numbered
 * ones too); code, inline code and HTML left out. Trimmed as Java's `trim` trims.
 */
export function markdownText(document: Node): string {
  const out: string[] = [];
  const visit = (node: Node) => {
    const children = () => {
      for (let child = node.firstChild; child; child = child.next) visit(child);
    };
    switch (node.type) {
      case "text":
        out.push(node.literal ?? "");
        return;
      case "softbreak":
        out.push(" ");
        return;
      case "linebreak":
        out.push("\n");
        return;
      case "paragraph":
      case "heading":
        children();
        out.push("\n");
        return;
      case "item":
        out.push("- ");
        children();
        out.push("\n");
        return;
      default:
        children();
    }
  };
  visit(document);
  return out.join("").replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, "");
}

export const MarkdownToHtml = defineTask({
  type: "io.kestra.plugin.serdes.markdown.MarkdownToHtml",
  title: "Convert a Markdown file to HTML",
  examples: [
    {
      title: "Markdown to HTML, for an email body",
      code: `id: to_html\ntype: io.kestra.plugin.serdes.markdown.MarkdownToHtml\nfrom: "{{ outputs.write_markdown.uri }}"`,
    },
  ],
  description:
    "Reads a Markdown file and writes its HTML as the CommonMark specification renders it (raw HTML in the Markdown is kept). Metric `bytes`: the length of the HTML.",
  properties: z.object({ from, charset }),
  outputs: uriOutput,
  async run(p, ctx) {
    encodingFor(p.charset);
    const markdown = await readText(ctx, p.from, p.charset);
    const { HtmlRenderer, Parser } = await commonmark();
    const html = new HtmlRenderer().render(new Parser().parse(markdown));
    return storeText(ctx, html, "data.html", p.charset);
  },
});

export const MarkdownToText = defineTask({
  type: "io.kestra.plugin.serdes.markdown.MarkdownToText",
  title: "Convert a Markdown file to plain text",
  examples: [
    {
      title: "Strip the Markdown of a news digest",
      code: `id: to_text\ntype: io.kestra.plugin.serdes.markdown.MarkdownToText\nfrom: "{{ outputs.write_markdown.uri }}"`,
    },
  ],
  description:
    "Reads a Markdown file and writes its text without the formatting, as Kestra does: link texts without their URLs, a line per paragraph and heading, `- ` before list items; code and raw HTML are left out. Metric `bytes`: the length of the text.",
  properties: z.object({ from, charset }),
  outputs: uriOutput,
  async run(p, ctx) {
    encodingFor(p.charset);
    const markdown = await readText(ctx, p.from, p.charset);
    const { Parser } = await commonmark();
    return storeText(ctx, markdownText(new Parser().parse(markdown)), "data.txt", p.charset);
  },
});

export const HtmlToMarkdown = defineTask({
  type: "io.kestra.plugin.serdes.markdown.HtmlToMarkdown",
  title: "Convert an HTML file to Markdown",
  examples: [
    {
      title: "A web page as Markdown, without its navigation",
      code: `id: to_markdown\ntype: io.kestra.plugin.serdes.markdown.HtmlToMarkdown\nfrom: "{{ outputs.write_html.uri }}"\nignoreTags: [nav, footer]\nbaseUri: https://kestra.io/docs/`,
    },
  ],
  description:
    "Reads an HTML file (UTF-8, as in Kestra) and writes Markdown, in the style of Kestra's converter: `#` headings, `*` bullets, fenced code with its language, Markdown tables. Scripts and styles are left out, and so are the elements `ignoreTags` selects. Metric `bytes`: the length of the Markdown.",
  properties: z.object({
    from,
    ignoreTags: z
      .array(z.string())
      .optional()
      .describe("CSS selectors (tag names such as `nav`, or `div.ads`) of the elements left out of the Markdown."),
    baseUri: z
      .string()
      .optional()
      .describe('The URI relative links and image sources are resolved against (`href="/docs"` → `https://…/docs`).'),
  }),
  outputs: uriOutput,
  async run(p, ctx) {
    const html = await readText(ctx, p.from, "UTF-8");
    const { htmlToMarkdown, SelectorError } = await turndown();
    let markdown: string;
    try {
      markdown = htmlToMarkdown(html, { ignoreTags: p.ignoreTags, baseUri: p.baseUri });
    } catch (error) {
      if (error instanceof SelectorError) throw new NonRetryableError(`ignoreTags: ${error.message}`);
      throw error;
    }
    return storeText(ctx, markdown, "data.md", "UTF-8");
  },
});
