// The expression language (Pebble as Kestra configures it). Filled in by the expressions work.
export {};
