/**
 * XmlToIon and IonToXml in real flows: XML written to storage, converted to Ion (parsed back with
 * ion-js), written back as XML, and bad inputs refused with no file left behind.
 */
import * as ion from "ion-js";
import { describe, expect, it } from "vitest";
import { errorMessages, outputsOf, taskRun } from "@saker/engine/testing";
import { flowOf, flowWith, ION_TO_XML, JSON_TO_ION, task, useSerdesInstance, XML_TO_ION } from "../test/support.ts";

const { test, stored, storedBytes, namespaceFile, filesOf } = useSerdesInstance();
/** Ion values as plain data; decimals as their text. */
const ionValues = (text: string) =>
  JSON.parse(
    JSON.stringify(ion.loadAll(text), (_k, v: unknown) =>
      v instanceof ion.dom.Decimal ? `decimal:${v.decimalValue().toString()}` : v,
    ),
  ) as unknown[];

const CATALOG = `<?xml version="1.0" encoding="UTF-8"?>
<!-- a catalog -->
<catalog xmlns:dc="http://purl.org/dc/elements/1.1/">
  <book id="bk101" isbn="0042">
    <author>Gambardella, Matthew</author>
    <dc:title lang="en">XML Developer's Guide</dc:title>
    <price>44.95</price>
    <stock>12</stock>
    <available>true</available>
    <tag>xml</tag>
    <tag>guide</tag>
    <note><![CDATA[<b>bold</b> & 12]]></note>
    <empty/>
  </book>
  <book id="bk102">
    <author>Ralls, Kim</author>
    <dc:title lang="en">Midnight Rain</dc:title>
    <price>5</price>
    <stock>-3</stock>
    <available>FALSE</available>
    <tag>fantasy</tag>
    <note>null</note>
    <empty></empty>
  </book>
</catalog>
`;

describe("XmlToIon", () => {
  it("selects the records of a query: attributes, nested and repeated elements, CDATA, namespaces, typed values", async () => {
    const ex = await test.run(
      flowWith(
        "xml_books",
        CATALOG,
        ".xml",
        task("ion", XML_TO_ION, 'from: "{{ outputs.src.uri }}"\nquery: /catalog/book'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "ion").join()).toBe("SUCCESS");
    const text = await stored(ex, "ion");
    expect(text.trim().split("\n")).toHaveLength(2);
    expect(ionValues(text)).toEqual([
      {
        id: "bk101",
        isbn: "0042",
        author: "Gambardella, Matthew",
        "dc:title": { lang: "en", content: "XML Developer's Guide" },
        price: "decimal:44.95",
        stock: 12,
        available: true,
        tag: ["xml", "guide"],
        note: "<b>bold</b> & 12",
        empty: "",
      },
      {
        id: "bk102",
        author: "Ralls, Kim",
        "dc:title": { lang: "en", content: "Midnight Rain" },
        price: 5,
        stock: -3,
        available: false,
        tag: "fantasy",
        note: null,
        empty: "",
      },
    ]);
    expect(outputsOf(ex, "ion").uri).toMatch(/\.ion$/);
  });

  it("without query the whole document is one line; indexes, attributes and forceList follow the JSON Pointer", async () => {
    const xml = '<r a="1"><x>t<i>2</i>u</x><y>only</y><z k="v"/></r>';
    const ex = await test.run(
      flowWith(
        "xml_whole",
        xml,
        ".xml",
        task("all", XML_TO_ION, 'from: "{{ outputs.src.uri }}"') +
          task("second", XML_TO_ION, 'from: "{{ outputs.src.uri }}"\nquery: /r/x/content/1') +
          task("attr", XML_TO_ION, 'from: "{{ outputs.src.uri }}"\nquery: "#/r/z/k"') +
          task("single0", XML_TO_ION, 'from: "{{ outputs.src.uri }}"\nquery: /r/y/0') +
          task(
            "forced",
            XML_TO_ION,
            'from: "{{ outputs.src.uri }}"\nquery: /r/y/0\nparserConfiguration:\n  forceList: [y]',
          ) +
          task("book1", XML_TO_ION, `from: "{{ outputs.src.uri }}"\nquery: /r/x/i`),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "all").join()).toBe("SUCCESS");
    expect(ionValues(await stored(ex, "all"))).toEqual([
      { r: { a: 1, x: { content: ["t", "u"], i: 2 }, y: "only", z: { k: "v" } } },
    ]);
    expect(ionValues(await stored(ex, "attr"))).toEqual(["v"]);
    expect(ionValues(await stored(ex, "book1"))).toEqual([2]);
    // A single <y> is not a list for Kestra: /r/y/0 finds nothing, unless forceList makes it one.
    expect(await stored(ex, "single0")).toBe("");
    expect(ionValues(await stored(ex, "forced"))).toEqual(["only"]);
  });

  it("a query matching nothing writes an empty file, as Kestra does; an empty element is an empty string", async () => {
    const ex = await test.run(
      flowWith(
        "xml_nothing",
        "<catalog></catalog>",
        ".xml",
        task("none", XML_TO_ION, 'from: "{{ outputs.src.uri }}"\nquery: /random/stuff') +
          task("root", XML_TO_ION, 'from: "{{ outputs.src.uri }}"\nquery: /catalog'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "none").join()).toBe("SUCCESS");
    expect(await stored(ex, "none")).toBe("");
    expect(await stored(ex, "root")).toBe('""\n');
    // An empty file is an empty document, as for org.json.
    const empty = await test.run(
      flowWith(
        "xml_empty_file",
        "",
        ".xml",
        task("q", XML_TO_ION, 'from: "{{ outputs.src.uri }}"\nquery: /random/stuff') +
          task("all", XML_TO_ION, 'from: "{{ outputs.src.uri }}"'),
      ),
    );
    expect(empty.state.current, errorMessages(test, empty, "q").join()).toBe("SUCCESS");
    expect(await stored(empty, "q")).toBe("");
    expect(await stored(empty, "all")).toBe("{}\n");
  });

  it("reads the charset given (ISO-8859-1 bytes)", async () => {
    const uri = await namespaceFile(
      "latin.xml",
      Buffer.from("<r><name>café crème</name><name>Zürich</name></r>", "latin1"),
    );
    const ex = await test.run(
      flowOf("xml_latin", task("ion", XML_TO_ION, `from: ${uri}\ncharset: ISO-8859-1\nquery: /r/name`)),
    );
    expect(ex.state.current, errorMessages(test, ex, "ion").join()).toBe("SUCCESS");
    expect(ionValues(await stored(ex, "ion"))).toEqual(["café crème", "Zürich"]);
  });

  it("the older id XmlReader is an alias", async () => {
    const ex = await test.run(
      flowWith(
        "xml_alias",
        "<a><b>1</b></a>",
        ".xml",
        task("ion", "io.kestra.plugin.serdes.xml.XmlReader", 'from: "{{ outputs.src.uri }}"\nquery: /a/b'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "ion").join()).toBe("SUCCESS");
    expect(await stored(ex, "ion")).toBe("1\n");
  });
});

describe("IonToXml", () => {
  it("writes nested structs, lists, nulls and escaped text, indented as Kestra's writer", async () => {
    const jsonl =
      '{"name":"a < b & \\"c\\" > d","n":2,"x":1.5,"ok":true,"none":null,"tags":["p","q"],"addr":{"city":"Lyon","zip":"69001","geo":{}},"empty":""}\n' +
      '{"name":"line\\r\\nnext","tags":[]}\n';
    const ex = await test.run(
      flowWith(
        "xml_write",
        jsonl,
        ".jsonl",
        task("ion", JSON_TO_ION, 'from: "{{ outputs.src.uri }}"') +
          task("xml", ION_TO_XML, 'from: "{{ outputs.ion.uri }}"') +
          task("named", "io.kestra.plugin.serdes.xml.XmlWriter", 'from: "{{ outputs.ion.uri }}"\nrootName: rows'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "xml").join()).toBe("SUCCESS");
    const xml = await stored(ex, "xml");
    expect(xml).toBe(
      [
        "<?xml version='1.0' encoding='UTF-8'?>",
        "<items>",
        "  <item>",
        '    <name>a &lt; b &amp; "c" &gt; d</name>',
        "    <n>2</n>",
        "    <x>1.5</x>",
        "    <ok>true</ok>",
        "    <none/>",
        "    <tags>p</tags>",
        "    <tags>q</tags>",
        "    <addr>",
        "      <city>Lyon</city>",
        "      <zip>69001</zip>",
        "      <geo/>",
        "    </addr>",
        "    <empty></empty>",
        "  </item>",
        "  <item>",
        "    <name>line&#13;\nnext</name>",
        "  </item>",
        "</items>",
        "",
      ].join("\n"),
    );
    expect(outputsOf(ex, "xml").uri).toMatch(/\.xml$/);
    const named = await stored(ex, "named");
    expect(named.split("\n")[1]).toBe("<rows>");
    expect(named.endsWith("</rows>\n")).toBe(true);
  });

  it("round trip: XML → Ion → XML → Ion gives the same records", async () => {
    const ex = await test.run(
      flowWith(
        "xml_round",
        CATALOG,
        ".xml",
        task("ion", XML_TO_ION, 'from: "{{ outputs.src.uri }}"\nquery: /catalog/book') +
          task("xml", ION_TO_XML, 'from: "{{ outputs.ion.uri }}"') +
          task("back", XML_TO_ION, 'from: "{{ outputs.xml.uri }}"\nquery: /items/item'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "back").join()).toBe("SUCCESS");
    const first = ionValues(await stored(ex, "ion"));
    const again = ionValues(await stored(ex, "back"));
    // Attributes come back as elements, the rest is the same but null, which XML writes as an empty element.
    (first[1] as Record<string, unknown>).note = "";
    expect(again).toEqual(first);
    expect(await stored(ex, "xml")).toContain("<note>&lt;b&gt;bold&lt;/b&gt; &amp; 12</note>");
  });

  it("writes ISO-8859-1, characters beyond it as character references", async () => {
    const ex = await test.run(
      flowWith(
        "xml_write_latin",
        '{"t":"café €"}\n',
        ".jsonl",
        task("ion", JSON_TO_ION, 'from: "{{ outputs.src.uri }}"') +
          task("xml", ION_TO_XML, 'from: "{{ outputs.ion.uri }}"\ncharset: ISO-8859-1'),
      ),
    );
    expect(ex.state.current, errorMessages(test, ex, "xml").join()).toBe("SUCCESS");
    expect(await storedBytes(outputsOf(ex, "xml").uri as string)).toEqual(
      Buffer.from(
        "<?xml version='1.0' encoding='ISO-8859-1'?>\n<items>\n  <item>\n    <t>caf\xe9 &#x20AC;</t>\n  </item>\n</items>\n",
        "latin1",
      ),
    );
  });

  it("an empty Ion file gives an empty root element", async () => {
    const ex = await test.run(
      flowWith("xml_empty", "", ".ion", task("xml", ION_TO_XML, 'from: "{{ outputs.src.uri }}"')),
    );
    expect(ex.state.current, errorMessages(test, ex, "xml").join()).toBe("SUCCESS");
    expect(await stored(ex, "xml")).toBe("<?xml version='1.0' encoding='UTF-8'?>\n<items/>\n");
  });
});

describe("bad XML and bad properties", () => {
  const failing = async (id: string, content: string, props: string, taskType = XML_TO_ION) => {
    const ex = await test.run(
      flowWith(id, content, ".xml", task("conv", taskType, `from: "{{ outputs.src.uri }}"\n${props}`)),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(taskRun(ex, "conv").outputs ?? {}).not.toHaveProperty("uri");
    // Only the source file is stored under the execution: nothing of the failed conversion.
    expect(filesOf(ex.id)).toHaveLength(1);
    return errorMessages(test, ex, "conv").join("\n");
  };

  it("an unclosed tag fails the task naming the line and column, with no file left", async () => {
    const xml = "<catalog>\n  <book><title>A</title></book>\n  <book><title>B</title>\n</catalog>\n";
    expect(await failing("xml_unclosed", xml, "query: /catalog/book")).toMatch(
      /invalid XML in 'kestra:\/\/.*' at line 4, column \d+: unexpected close tag: <book> is not closed/,
    );
    expect(await failing("xml_truncated", "<a>\n<b>1</b>\n<b>2", "query: /a/b")).toMatch(
      /invalid XML .* at line 3, column \d+: unclosed tag: b/,
    );
  });

  it("billion laughs: a DOCTYPE declaring entities is refused, an undefined entity too", async () => {
    const lol = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>`;
    expect(await failing("xml_lol", lol, "")).toMatch(
      /invalid XML .* line 6, .*DOCTYPE declares entities, which are refused/,
    );
    const external = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>';
    expect(await failing("xml_xxe", external, "")).toMatch(/entities, which are refused/);
    expect(await failing("xml_undefined", "<r>&xxe;</r>", "")).toMatch(/line 1, column \d+: undefined entity/);
  });

  it("elements nested deeper than 512 levels are refused", async () => {
    const deep = "<a>".repeat(600) + "</a>".repeat(600);
    expect(await failing("xml_deep", deep, "query: /a")).toMatch(/nest deeper than 512 levels/);
  });

  it("an unknown charset names it; a query that is not a path says so", async () => {
    expect(await failing("xml_charset", "<a/>", "charset: NOPE-42")).toMatch(/unknown charset 'NOPE-42'/);
    expect(await failing("xml_query", "<a/>", "query: catalog/book")).toMatch(/query 'catalog\/book' is not a path/);
  });

  it("a repeated element inside the path after records were written fails clearly", async () => {
    const xml = "<a><b><c>1</c></b><b><c>2</c></b></a>";
    expect(await failing("xml_repeat", xml, "query: /a/b/c")).toMatch(
      /query '\/a\/b\/c': <b> occurs more than once in <a>.*\/b\/0\//,
    );
  });

  it("IonToXml refuses a field or rootName that cannot be an element name, and invalid Ion", async () => {
    const ex = await test.run(
      flowWith(
        "xml_badname",
        '{"ok":1}\n{"bad name":1}\n',
        ".jsonl",
        task("ion", JSON_TO_ION, 'from: "{{ outputs.src.uri }}"') +
          task("xml", ION_TO_XML, 'from: "{{ outputs.ion.uri }}"'),
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errorMessages(test, ex, "xml").join("\n")).toMatch(
      /record 2: field 'bad name' cannot be an XML element name/,
    );
    expect(filesOf(ex.id).filter((f) => f.endsWith(".xml"))).toHaveLength(0);
    const badIon = await test.run(
      flowWith("xml_badion", "{a:1}\n{a:\n", ".ion", task("xml", ION_TO_XML, 'from: "{{ outputs.src.uri }}"')),
    );
    expect(badIon.state.current).toBe("FAILED");
    expect(errorMessages(test, badIon, "xml").join("\n")).toMatch(/invalid Ion at line 2/);
    const badRoot = await test.run(
      flowWith(
        "xml_badroot",
        "{a:1}\n",
        ".ion",
        task("xml", ION_TO_XML, 'from: "{{ outputs.src.uri }}"\nrootName: "1 rows"'),
      ),
    );
    expect(badRoot.state.current).toBe("FAILED");
    expect(errorMessages(test, badRoot, "xml").join("\n")).toMatch(/rootName '1 rows' is not an XML element name/);
  });
});
