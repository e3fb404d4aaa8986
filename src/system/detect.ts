/**
 * Whether a file's text is a system file (top-level `companies:` and no `meta:`), so that
 * commands such as `check` can take either kind of file. Cheap: no parsing.
 */
export function isSystemText(text: string): boolean {
  const yamlKey = (key: string) => new RegExp(`^${key}\\s*:`, "m").test(text);
  const jsonKey = (key: string) => new RegExp(`"${key}"\\s*:`).test(text);
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{")) return jsonKey("companies") && !jsonKey("meta");
  return yamlKey("companies") && !yamlKey("meta");
}
