/** The folder of the built UI (`dist/`, with `index.html`), for the server to serve at /ui. */
export declare const uiDistDir: string;
