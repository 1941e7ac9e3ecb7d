import { describe, expect, it } from "vitest";
import { escapeHtml, renderInline, renderMarkdown, safeUrl } from "./markdown.ts";

describe("markdown", () => {
  it("escapes HTML everywhere: text, code, headings, links and list items", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    const html = renderMarkdown(
      "# <script>alert(1)</script>\n\nHello <img src=x onerror=alert(1)>\n\n- <b>item</b>\n\n```\n<div>\n```\n",
    );
    expect(html).not.toMatch(/<script|<img|<b>|<div>/);
    expect(html).toContain("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>");
    expect(html).toContain("<p>Hello &lt;img src=x onerror=alert(1)&gt;</p>");
    expect(html).toContain("<li>&lt;b&gt;item&lt;/b&gt;</li>");
    expect(html).toContain("<pre><code>&lt;div&gt;</code></pre>");
  });

  it("renders headings, paragraphs, lists and fenced code with its language", () => {
    expect(
      renderMarkdown("## Outputs\n\nOne line\ncontinued.\n\n1. first\n2. second\n\n```yaml\nid: x\n  a: 1\n```"),
    ).toBe(
      [
        "<h2>Outputs</h2>",
        "<p>One line continued.</p>",
        "<ol><li>first</li><li>second</li></ol>",
        '<pre><code class="language-yaml">id: x\n  a: 1</code></pre>',
      ].join("\n"),
    );
    expect(renderMarkdown("- a\n  more\n* b")).toBe("<ul><li>a more</li><li>b</li></ul>");
  });

  it("keeps code spans literal and renders emphasis and links outside them", () => {
    expect(renderInline("use `**not bold** <x>` and **bold** or *it*")).toBe(
      "use <code>**not bold** &lt;x&gt;</code> and <strong>bold</strong> or <em>it</em>",
    );
    expect(renderInline("see [the docs](https://kestra.io/docs?a=1&b=2)")).toBe(
      'see <a href="https://kestra.io/docs?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">the docs</a>',
    );
    expect(renderInline("[local](/ui/plugins)")).toBe('<a href="/ui/plugins">local</a>');
    expect(renderInline("snake_case_name stays")).toBe("snake_case_name stays");
  });

  it("drops unsafe link targets but keeps their text", () => {
    expect(safeUrl("javascript:alert(1)")).toBe(false);
    expect(safeUrl(" JavaScript:alert(1)")).toBe(false);
    expect(safeUrl("data:text/html,x")).toBe(false);
    expect(safeUrl("//evil.example")).toBe(false);
    expect(safeUrl("#props")).toBe(true);
    expect(renderInline("[click](javascript:alert(1))")).toBe("click");
  });

  it("renders tables, with escaped pipes inside cells", () => {
    expect(renderMarkdown("| Property | Type |\n|---|---|\n| `a` | string \\| number |")).toBe(
      "<table><thead><tr><th>Property</th><th>Type</th></tr></thead><tbody><tr><td><code>a</code></td><td>string | number</td></tr></tbody></table>",
    );
  });
});
