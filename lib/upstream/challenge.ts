// Parses `WWW-Authenticate` (RFC 9110 §11.6.1): one or more challenges, each a
// scheme followed by comma-separated auth-params whose values may be quoted
// strings containing commas, `=` and backslash escapes, e.g.
//   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push"

export type Challenge = { scheme: string; params: Record<string, string> };

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

export function parseWwwAuthenticate(header: string | string[] | undefined): Challenge[] {
  if (!header) return [];
  if (Array.isArray(header)) return header.flatMap((h) => parseWwwAuthenticate(h));
  const challenges: Challenge[] = [];
  let i = 0;
  const n = header.length;
  const skipSpaces = () => {
    while (i < n && (header[i] === " " || header[i] === "\t")) i++;
  };
  const readToken = () => {
    const start = i;
    while (i < n && TOKEN.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  const readQuoted = () => {
    let out = "";
    i++; // opening quote
    while (i < n && header[i] !== '"') {
      if (header[i] === "\\" && i + 1 < n) i++;
      out += header[i];
      i++;
    }
    i++; // closing quote
    return out;
  };

  let current: Challenge | null = null;
  while (i < n) {
    skipSpaces();
    if (header[i] === ",") {
      i++;
      continue;
    }
    const start = i;
    const token = readToken();
    if (!token) {
      i++; // skip a stray character rather than loop forever
      continue;
    }
    skipSpaces();
    if (header[i] === "=" && current && header[i + 1] !== "=") {
      // auth-param: name=value
      i++;
      skipSpaces();
      const value = header[i] === '"' ? readQuoted() : readToken();
      current.params[token.toLowerCase()] = value;
    } else if (header[i] === "=" && !current) {
      // a param before any scheme: malformed, ignore it
      i = start + token.length + 1;
      if (header[i] === '"') readQuoted();
      else readToken();
    } else {
      current = { scheme: token.toLowerCase(), params: {} };
      challenges.push(current);
      // token68 form (e.g. `Negotiate abc==`): keep it out of the params
      if (header[i] && header[i] !== ",") {
        const save = i;
        const t68 = /^[A-Za-z0-9\-._~+/]+=*/.exec(header.slice(i));
        if (t68 && !/^[^=]*=[^=]/.test(header.slice(i, i + t68[0].length + 1))) i = save + t68[0].length;
      }
    }
  }
  return challenges;
}

/** The first Bearer or Basic challenge, preferring Bearer (what registries use). */
export function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === "bearer") ?? challenges.find((c) => c.scheme === "basic");
}
