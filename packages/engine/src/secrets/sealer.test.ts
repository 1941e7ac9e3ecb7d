import { describe, expect, it } from "vitest";
import { Encryption } from "./encryption.ts";
import { SecretMasker } from "./masker.ts";
import { isSealed, SecretSealer } from "./sealer.ts";

const SECRET = "s3cr3t-value-for-sealing";
const sealer = new SecretSealer(new Encryption(Buffer.alloc(32, 7)));
const masker = new SecretMasker();
masker.add(SECRET);

describe("SecretSealer", () => {
  const outputs = {
    value: `token ${SECRET}`,
    encoded: Buffer.from(SECRET).toString("base64"),
    plain: "nothing to hide",
    list: [SECRET, 42, null],
    uri: "kestra:///company/s3cr3t-value-for-sealing/executions/x/file.txt",
  };

  it("seals the strings holding a secret, losslessly, and leaves the others as they are", () => {
    const sealed = sealer.seal(outputs, masker);
    const { uri: _uri, ...rest } = sealed;
    expect(JSON.stringify(rest)).not.toContain(SECRET);
    expect(JSON.stringify(rest)).not.toContain(outputs.encoded);
    expect(isSealed(sealed.value)).toBe(true);
    expect(isSealed(sealed.encoded)).toBe(true);
    expect(sealed.plain).toBe("nothing to hide");
    expect(sealed.list[1]).toBe(42);
    // a secret in a storage URI's folders (a flow id) is no reason to seal it
    expect(sealed.uri).toBe(outputs.uri);
    expect(sealer.reveal(sealed)).toEqual(outputs);
    // sealing twice changes nothing more
    expect(sealer.reveal(sealer.seal(sealed, masker))).toEqual(outputs);
  });

  it("shows the masked form of a sealed value, and masks the others by value under the chosen keys", () => {
    const shown = sealer.display(
      { id: SECRET, outputs: sealer.seal(outputs, masker), message: `saw ${SECRET}` },
      masker,
      new Set(["outputs", "message"]),
    );
    expect(shown.id).toBe(SECRET);
    expect(shown.outputs.value).toBe(`token **masked*${"*".repeat(SECRET.length - 9)}`);
    expect(shown.outputs.encoded).toMatch(/^\*\*masked\*+$/);
    expect(shown.outputs.list[0]).toMatch(/^\*\*masked\*+$/);
    expect(shown.message).toBe(`saw **masked*${"*".repeat(SECRET.length - 9)}`);
  });

  it("reveal copies only the containers on the way to a sealed string, and returns the rest as they are", () => {
    const untouched = { a: [1, "x", { b: "y" }], c: { d: "z" } };
    expect(sealer.reveal(untouched)).toBe(untouched);
    const value = { before: { n: 1 }, list: ["a", sealer.seal(SECRET, masker), "b"], after: untouched };
    const revealed = sealer.reveal(value);
    expect(revealed).toEqual({ before: { n: 1 }, list: ["a", SECRET, "b"], after: untouched });
    expect(Object.keys(revealed)).toEqual(["before", "list", "after"]);
    expect(revealed).not.toBe(value);
    expect(revealed.before).toBe(value.before);
    expect(revealed.after).toBe(untouched);
    expect(value.list[1]).not.toBe(SECRET);
  });

  it("a value sealed under another key stays sealed", () => {
    const other = new SecretSealer(new Encryption(Buffer.alloc(32, 8)));
    const sealed = sealer.seal({ v: SECRET }, masker);
    expect(other.reveal(sealed)).toEqual(sealed);
    expect(other.display(sealed, masker).v).toBe("**masked*");
  });

  it("reveals a value holding nothing sealed as the same object, and finds a sealed string deep down", () => {
    const plain = { a: [{ b: "x" }, 1, null], c: { d: "saker-sealed" } };
    const seen: string[] = [];
    expect(sealer.reveal(plain, (p) => seen.push(p))).toBe(plain);
    expect(seen).toEqual([]);
    const nested = { a: [{ b: "x" }, { deep: [sealer.seal(SECRET, masker)] }], c: "y" };
    const revealed = sealer.reveal(nested, (p) => seen.push(p));
    expect(revealed).toEqual({ a: [{ b: "x" }, { deep: [SECRET] }], c: "y" });
    expect(revealed.a[0]).toBe(nested.a[0]);
    expect(seen).toEqual([SECRET]);
  });
});
