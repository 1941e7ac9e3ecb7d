/**
 * `saker plugins new NAME`: a small, complete plugin package in plain JavaScript (no build step),
 * ready to install with `saker plugins install ./NAME`.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { SakerError } from "@saker/sdk";

function identifier(name: string): string {
  return (
    basename(name)
      .replace(/^saker-plugin-/, "")
      .replace(/[^a-zA-Z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : "")) || "example"
  );
}

export function scaffoldPlugin(dir: string, packageName: string): string[] {
  if (existsSync(dir)) throw new SakerError("PLUGIN_SCAFFOLD_EXISTS", `'${dir}' already exists`);
  const short = identifier(packageName).toLowerCase();
  const type = `com.example.${short}.Hello`;
  const files: Record<string, string> = {
    "package.json": `${JSON.stringify(
      {
        name: packageName,
        version: "1.0.0",
        description: `A Saker plugin: ${short}`,
        type: "module",
        main: "./src/index.js",
        saker: { entry: "./src/index.js" },
        files: ["src", "README.md"],
        peerDependencies: { "@saker/sdk": "*" },
        keywords: ["saker-plugin"],
        license: "Apache-2.0",
      },
      null,
      2,
    )}\n`,
    "src/index.js": `// A Saker plugin: the default export lists every type it provides.
import { definePlugin, defineTask, z } from "@saker/sdk";

export const Hello = defineTask({
  type: "${type}",
  title: "Say hello",
  description: "Greets someone and returns the greeting.",
  examples: [{ title: "Greet the world", code: "id: hello\\ntype: ${type}\\nname: world" }],
  properties: z.object({
    name: z.string().describe("Who to greet."),
    times: z.number().int().min(1).default(1).describe("How many times to log the greeting."),
  }),
  outputs: z.object({ greeting: z.string().describe("The greeting.") }),
  async run({ name, times }, ctx) {
    const greeting = \`Hello, \${name}!\`;
    for (let i = 0; i < times; i++) ctx.logger.info(greeting);
    return { greeting };
  },
});

export default definePlugin({ title: "${short}", tasks: [Hello] });
`,
    "examples/hello.yaml": `id: hello
namespace: company.team
tasks:
  - id: greet
    type: ${type}
    version: "1.0.0"
    name: "{{ inputs.who ?? 'world' }}"
`,
    "README.md": `# ${packageName}

A Saker plugin. Install it into a Saker instance, then use its types in flows:

\`\`\`sh
saker plugins install ./${basename(dir)}
saker plugins doc ${type}
saker flow run examples/hello.yaml
\`\`\`

See Saker's docs/plugin-development.md for the plugin contract.
`,
  };
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(join(full, ".."), { recursive: true });
    writeFileSync(full, content);
  }
  return Object.keys(files);
}
