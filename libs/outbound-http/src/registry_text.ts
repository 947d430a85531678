/**
 * Text a registry or provider sent, fit for an error message: control characters and runs of
 * whitespace become one space, and at most `maxChars` characters are kept (default 200).
 */
export function registryText(text: string, maxChars = 200): string {
  // eslint-disable-next-line no-control-regex
  const oneLine = text.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
  return oneLine.length > maxChars ? `${oneLine.slice(0, maxChars)}…` : oneLine;
}
