/** One challenge of a `WWW-Authenticate` header: its scheme (lowercased) and parameters (names lowercased). */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

const tokenChar = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/**
 * Parses a `WWW-Authenticate` header (RFC 9110 §11.6.1): several challenges, quoted strings with
 * escapes and commas inside them, and the unquoted values some registries send.
 */
export function parseWwwAuthenticate(header: string | undefined): AuthChallenge[] {
  if (header === undefined) return [];
  const challenges: AuthChallenge[] = [];
  let pos = 0;
  const skip = (chars: RegExp): void => {
    while (pos < header.length && chars.test(header[pos] ?? "")) pos++;
  };
  const readToken = (): string => {
    const start = pos;
    while (pos < header.length && tokenChar.test(header[pos] ?? "")) pos++;
    return header.slice(start, pos);
  };
  const readValue = (): string => {
    if (header[pos] !== '"') {
      const start = pos;
      while (pos < header.length && header[pos] !== "," && !/\s/.test(header[pos] ?? "")) pos++;
      return header.slice(start, pos);
    }
    pos++;
    let value = "";
    while (pos < header.length && header[pos] !== '"') {
      if (header[pos] === "\\" && pos + 1 < header.length) pos++;
      value += header[pos];
      pos++;
    }
    pos++;
    return value;
  };

  while (pos < header.length) {
    skip(/[\s,]/);
    const scheme = readToken();
    if (scheme === "") {
      // Not a token where a scheme belongs: skip to the next comma and try again.
      while (pos < header.length && header[pos] !== ",") pos++;
      continue;
    }
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    for (;;) {
      const save = pos;
      skip(/[\s,]/);
      const name = readToken();
      skip(/\s/);
      if (name === "" || header[pos] !== "=") {
        pos = save;
        break;
      }
      pos++;
      skip(/\s/);
      challenge.params[name.toLowerCase()] = readValue();
    }
    // A token68 (Basic's legacy form) or stray text: skip it up to the next challenge.
    if (pos < header.length && !/[\s,]/.test(header[pos] ?? "")) {
      while (pos < header.length && header[pos] !== ",") pos++;
    }
  }
  return challenges;
}
