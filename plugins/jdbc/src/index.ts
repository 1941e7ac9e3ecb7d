import { definePlugin } from "@saker/sdk";

/** The JDBC plugin: Query, Queries and Trigger per database. */
export default definePlugin({ group: "io.kestra.plugin.jdbc", title: "JDBC", tasks: [] });
