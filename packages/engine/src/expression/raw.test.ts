import { describe, expect, it } from "vitest";
import { defaultEngine } from "./index.ts";

describe("raw blocks", () => {
  it("keeps a raw body as written, in string and typed modes", () => {
    expect(defaultEngine.render("{% raw %}{{ x }}{% endraw %}", {})).toBe("{{ x }}");
    expect(defaultEngine.render("a {% raw %}{{ x }}{% endraw %} {{ y }}", { y: "Y" })).toBe("a {{ x }} Y");
    expect(defaultEngine.render("a {% raw %}{{ x }}{% endraw %}", {}, { typed: true })).toBe("a {{ x }}");
  });

  it("unwraps a raw block a value brings into a template without one, and leaves other text alone", () => {
    expect(defaultEngine.render("{{ v }}", { v: "{% raw %}in{% endraw %}" })).toBe("in");
    expect(defaultEngine.render("{{ v }}", { v: "raw text" })).toBe("raw text");
    expect(defaultEngine.render("{{ n }}", { n: 5 }, { typed: true })).toBe(5);
  });
});
