/**
 * The languages Kestra's plugin-scripts ships, as one table: each row becomes a `Script` and a
 * `Commands` task (`io.kestra.plugin.scripts.<id>.{Script,Commands}`).
 *
 * @module
 */

export interface Language {
  /** The package segment of the type ids. */
  id: string;
  title: string;
  /** Executables that run a script file, tried in order on the worker's PATH. */
  interpreters: readonly string[];
  /** Arguments between the interpreter and the script file (`deno run -A file.ts`). */
  args?: readonly string[];
  /** Extension of the file `Script` writes. */
  extension: string;
  /** The image Kestra's Docker runner uses by default. */
  containerImage: string;
  /** `Script` passes its text to the shell inline instead of writing a file (shell: `set -e` then applies to it). */
  inline?: boolean;
  /** Prepended to the script file (Python: `true=True; …`, so rendered JSON reads as Python). */
  prelude?: string;
  /** The wrapper the commands run in when `interpreter` is not set (default `/bin/sh -c`). */
  shell?: readonly string[];
  /** The line `failFast` puts first (default `set -e`). */
  failFastLine?: string;
}

export const LANGUAGES: readonly Language[] = [
  { id: "shell", title: "Shell", interpreters: ["sh"], extension: ".sh", containerImage: "ubuntu", inline: true },
  {
    id: "python",
    title: "Python",
    interpreters: ["python3", "python"],
    extension: ".py",
    containerImage: "python:3.13-slim",
    prelude: "true = True; false = False; null = None\n",
  },
  { id: "node", title: "Node.js", interpreters: ["node"], extension: ".js", containerImage: "node" },
  { id: "bun", title: "Bun", interpreters: ["bun"], args: ["run"], extension: ".ts", containerImage: "oven/bun" },
  {
    id: "deno",
    title: "Deno",
    interpreters: ["deno"],
    args: ["run", "--allow-all"],
    extension: ".ts",
    containerImage: "denoland/deno",
  },
  { id: "go", title: "Go", interpreters: ["go"], args: ["run"], extension: ".go", containerImage: "golang" },
  { id: "r", title: "R", interpreters: ["Rscript"], extension: ".R", containerImage: "r-base" },
  { id: "julia", title: "Julia", interpreters: ["julia"], extension: ".jl", containerImage: "julia" },
  { id: "ruby", title: "Ruby", interpreters: ["ruby"], extension: ".rb", containerImage: "ruby" },
  { id: "perl", title: "Perl", interpreters: ["perl"], extension: ".pl", containerImage: "perl" },
  { id: "php", title: "PHP", interpreters: ["php"], extension: ".php", containerImage: "php" },
  {
    id: "lua",
    title: "Lua",
    interpreters: ["lua", "lua5.4", "luajit"],
    extension: ".lua",
    containerImage: "nickblah/lua",
  },
  { id: "groovy", title: "Groovy", interpreters: ["groovy"], extension: ".groovy", containerImage: "groovy" },
  {
    id: "jbang",
    title: "JBang",
    interpreters: ["jbang"],
    args: ["--quiet"],
    extension: ".java",
    containerImage: "jbangdev/jbang-action",
  },
  {
    id: "powershell",
    title: "PowerShell",
    interpreters: ["pwsh"],
    extension: ".ps1",
    containerImage: "mcr.microsoft.com/powershell",
    inline: true,
    shell: ["pwsh", "-NoProfile", "-NonInteractive", "-Command"],
    failFastLine: "$ErrorActionPreference = 'Stop'",
  },
];
