/** Users' regular expressions run on RE2: the SDK's, shared with the plugins. */
export { eachMatch, fullMatch, RegexError, replaceAll, userRegex, wildcardMatch } from "@saker/sdk/regex";
