/** OpenPGP.js, loaded with a task's first run and not with the plugin: Saker starts without it. */
export const openpgp = (): Promise<typeof import("openpgp")> => import("openpgp");
