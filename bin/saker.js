#!/usr/bin/env node
// The `saker` command at the repository root; the CLI lives in packages/cli.
import { main } from "../packages/cli/dist/main.js";

await main(process.argv);
