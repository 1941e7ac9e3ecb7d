/**
 * The Markdown tasks in real flows, on the cases of Kestra's tests (a heading, emphasis, links and
 * lists; the text kept of a news digest; a web page, a table, ignored tags, a base URI) with
 * fixtures of our own, the exact HTML of the CommonMark spec, flexmark's Markdown style, and bad input.
 */
import { describe, expect, it } from "vitest";
import { errorMessages, outputsOf, taskRun } from "@saker/engine/testing";
import {
  flowWith,
  HTML_TO_MARKDOWN,
  MARKDOWN_TO_HTML,
  MARKDOWN_TO_TEXT,
  task,
  useSerdesInstance,
} from "../test/support.ts";

const { test, stored, storedBytes, namespaceFile } = useSerdesInstance();

/** Converts a file stored as a namespace file (Markdown and HTML hold characters a flow's expressions would read). */
async function convert(id: string, name: string, content: string | Buffer, type: string, options = "") {
  const uri = await namespaceFile(name, content);
  return test.run(flowWith(id, "x", ".txt", task("out", type, `from: "${uri}"${options && `\n${options}`}`)));
}

async function output(execution: Awaited<ReturnType<typeof convert>>): Promise<string> {
  expect(execution.state.current, errorMessages(test, execution, "out").join("\n")).toBe("SUCCESS");
  return stored(execution, "out");
}

async function failure(execution: Awaited<ReturnType<typeof convert>>): Promise<string> {
  expect(execution.state.current).toBe("FAILED");
  expect(taskRun(execution, "out").outputs ?? {}).not.toHaveProperty("uri");
  return errorMessages(test, execution, "out").join("\n");
}

const bytesMetric = (execution: Awaited<ReturnType<typeof convert>>) =>
  test.instance.metrics.byExecution(execution.id).map((m) => [m.taskId, m.name, m.value]);

describe("MarkdownToHtml", () => {
  it("renders the HTML of the CommonMark spec; the bytes metric is its length", async () => {
    const markdown =
      "# Hello Saker\nThis is **bold** and *italic* text with a [link](https://kestra.io)\n- Item 1\n- Item 2\n";
    const ex = await convert("md_html", "hello.md", markdown, MARKDOWN_TO_HTML);
    const html =
      "<h1>Hello Saker</h1>\n" +
      '<p>This is <strong>bold</strong> and <em>italic</em> text with a <a href="https://kestra.io">link</a></p>\n' +
      "<ul>\n<li>Item 1</li>\n<li>Item 2</li>\n</ul>\n";
    expect(await output(ex)).toBe(html);
    expect(outputsOf(ex, "out").uri).toMatch(/\.html$/);
    expect(bytesMetric(ex)).toEqual([["out", "bytes", html.length]]);
  });

  it("keeps raw HTML, writes code with its language, loose lists, images, entities, hard breaks", async () => {
    const markdown =
      '<div class="note">raw</div>\n\n```sql\nselect 1 < 2;\n```\n\n1. one\n\n2. two\n\n' +
      '![logo](logo.png "The logo") &copy; "quotes" a\\\nb\n';
    expect(await output(await convert("md_html_more", "more.md", markdown, MARKDOWN_TO_HTML))).toBe(
      '<div class="note">raw</div>\n' +
        '<pre><code class="language-sql">select 1 &lt; 2;\n</code></pre>\n' +
        "<ol>\n<li>\n<p>one</p>\n</li>\n<li>\n<p>two</p>\n</li>\n</ol>\n" +
        '<p><img src="logo.png" alt="logo" title="The logo" /> © &quot;quotes&quot; a<br />\nb</p>\n',
    );
  });

  it("reads and writes in the charset; an empty file gives an empty file", async () => {
    const ex = await convert(
      "md_html_latin1",
      "latin1.md",
      Buffer.from("# Café\n", "latin1"),
      MARKDOWN_TO_HTML,
      "charset: ISO-8859-1",
    );
    expect(ex.state.current, errorMessages(test, ex, "out").join()).toBe("SUCCESS");
    expect((await storedBytes(outputsOf(ex, "out").uri as string)).toString("latin1")).toBe("<h1>Café</h1>\n");
    expect(await output(await convert("md_html_empty", "empty.md", "", MARKDOWN_TO_HTML))).toBe("");
  });
});

describe("MarkdownToText", () => {
  it("keeps the text as Kestra does: headings and paragraphs on lines, links as their text, items after '- '", async () => {
    const markdown =
      "# Paris Digest\n**The Louvre** opens a new *wing* today.\nDetails on [lemonde.fr](https://lemonde.fr)\n- Point A\n- Point B\n";
    const ex = await convert("md_text", "digest.md", markdown, MARKDOWN_TO_TEXT);
    const text = await output(ex);
    expect(text).toBe("Paris Digest\nThe Louvre opens a new wing today. Details on lemonde.fr\n- Point A\n\n- Point B");
    expect(text).not.toMatch(/\*\*|\[|\]\(/);
    expect(outputsOf(ex, "out").uri).toMatch(/\.txt$/);
    expect(bytesMetric(ex)).toEqual([["out", "bytes", text.length]]);
  });

  it("leaves out code (inline and blocks) and HTML, keeps image alt texts, quotes, numbered items after '- '", async () => {
    const markdown =
      "Run `make` first:\n\n    make all\n\n```\nfenced\n```\n\n> quoted *text*\n\n1. one\n2. two\n\n" +
      "<p>html</p>\n\n![a chart](c.png) and line  \nbreak\n\n---\n";
    expect(await output(await convert("md_text_more", "more.md", markdown, MARKDOWN_TO_TEXT))).toBe(
      "Run  first:\nquoted text\n- one\n\n- two\n\na chart and line\nbreak",
    );
  });

  it("an empty document gives an empty text", async () => {
    expect(await output(await convert("md_text_empty", "empty.md", "\n\n", MARKDOWN_TO_TEXT))).toBe("");
  });
});

describe("HtmlToMarkdown", () => {
  it("writes Markdown in flexmark's style: # headings, * bullets, emphasis, links, code, rules", async () => {
    const html =
      "<!DOCTYPE html><html><head><title>Doc</title><style>p{color:red}</style></head><body>" +
      "<h1>Hello Saker</h1><p>This is <strong>bold</strong>, <em>italic</em>, <del>gone</del> and " +
      '<a href="https://kestra.io" title="Kestra">a link</a> or <a href="https://saker.dev">https://saker.dev</a>.</p>' +
      "<ul><li>First<ul><li>Nested</li></ul></li><li>Second</li></ul>" +
      '<ol start="3"><li>three</li><li>four</li></ol>' +
      '<pre><code class="language-python">print("hi")\n</code></pre>' +
      "<pre><code>plain code\n</code></pre>" +
      "<hr><p>Line<br>break and <code>inline</code></p>" +
      '<script>alert("x")</script></body></html>';
    const ex = await convert("html_md", "page.html", html, HTML_TO_MARKDOWN);
    const markdown = await output(ex);
    expect(markdown).toBe(
      [
        "# Hello Saker",
        "",
        'This is **bold**, *italic*, ~~gone~~ and [a link](https://kestra.io "Kestra") or <https://saker.dev>.',
        "",
        "* First",
        "  * Nested",
        "* Second",
        "",
        "3. three",
        "4. four",
        "",
        "```python",
        'print("hi")',
        "```",
        "",
        "    plain code",
        "",
        "*** ** * ** ***",
        "",
        "Line  ",
        "break and `inline`",
        "",
      ].join("\n"),
    );
    expect(outputsOf(ex, "out").uri).toMatch(/\.md$/);
    expect(bytesMetric(ex)).toEqual([["out", "bytes", markdown.length]]);
  });

  it("writes tables as Markdown tables with aligned columns", async () => {
    const html =
      '<table><thead><tr><th>Name</th><th align="right">Age</th></tr></thead>' +
      "<tbody><tr><td>Alice</td><td>30</td></tr><tr><td>Bob | B.</td><td>7</td></tr></tbody></table>";
    expect(await output(await convert("html_md_table", "table.html", html, HTML_TO_MARKDOWN))).toBe(
      "| Name      | Age |\n|-----------|----:|\n| Alice     |  30 |\n| Bob \\| B. |   7 |\n",
    );
  });

  it("leaves out the elements ignoreTags selects (tag names or CSS selectors), and scripts and styles", async () => {
    const html =
      "<h1>Main</h1><p>Visible.</p><script>console.log('no')</script><style>body { color: red; }</style>" +
      '<nav><a href="/x">Navigation</a></nav><div class="ads">Buy now</div><p>More.</p>';
    const markdown = await output(
      await convert("html_md_ignore", "ignore.html", html, HTML_TO_MARKDOWN, "ignoreTags: [nav, div.ads, p.skip]"),
    );
    expect(markdown).toBe("# Main\n\nVisible.\n\nMore.\n");
    const skipped = await output(
      await convert(
        "html_md_ignore_p",
        "ignore-p.html",
        '<h2>T</h2><p class="skip">no</p><p>yes</p>',
        HTML_TO_MARKDOWN,
        "ignoreTags: [p.skip, h2]",
      ),
    );
    expect(skipped).toBe("yes\n");
  });

  it("resolves relative links and images against baseUri", async () => {
    const html = '<p>See <a href="/docs/guide">the guide</a>.</p><img src="img/logo.png" alt="Logo" />';
    const markdown = await output(
      await convert("html_md_base", "base.html", html, HTML_TO_MARKDOWN, "baseUri: https://kestra.io/blog/"),
    );
    expect(markdown).toBe(
      "See [the guide](https://kestra.io/docs/guide).\n\n![Logo](https://kestra.io/blog/img/logo.png)\n",
    );
  });

  it("an invalid selector in ignoreTags and a missing file fail clearly", async () => {
    expect(
      await failure(await convert("html_md_selector", "sel.html", "<p>x</p>", HTML_TO_MARKDOWN, 'ignoreTags: ["p[["]')),
    ).toMatch(/ignoreTags: 'p\[\[' is not a CSS selector/);
    const missing = await test.run(
      flowWith(
        "html_md_missing",
        "x",
        ".txt",
        task("out", HTML_TO_MARKDOWN, 'from: "kestra:///company/serdes/_files/none.html"'),
      ),
    );
    expect(await failure(missing)).toMatch(/none\.html/);
    expect(await failure(await convert("md_text_charset", "c.md", "x", MARKDOWN_TO_TEXT, "charset: NOPE-42"))).toMatch(
      /unknown charset 'NOPE-42'/,
    );
  });
});
