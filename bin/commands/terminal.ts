// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what this finds.
const UNSAFE_ON_TERMINAL_RE = /[\x00-\x1F\x7F-\x9F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/**
 * Text from a catalog (product names, brands, categories) as the CLI prints it: control characters (ESC and CSI
 * start escape sequences that recolour, retitle or rewrite the terminal; CR and BEL too) and bidirectional
 * controls written out as visible markers ("<U+001B>"), as the inspector shows the bidirectional ones.
 */
export function terminalText(text: string): string {
  return text.replace(UNSAFE_ON_TERMINAL_RE, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`);
}
