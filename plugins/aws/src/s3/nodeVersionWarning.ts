/**
 * The AWS SDK warns once per process, on stderr, that it will soon need Node 22
 * (NodeVersionSupportWarning). That says nothing a flow author can act on, so every S3 or STS
 * client of the plugin (and its tests' direct clients) is created after this switches it off
 * through the SDK's own setting, unless the user set that setting.
 */
export function silenceNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ||= "true";
}
