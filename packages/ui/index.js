// The folder of the built UI (vite build → dist/), for the server to serve at /ui.
import { fileURLToPath } from "node:url";

export const uiDistDir = fileURLToPath(new URL("./dist/", import.meta.url));
