// Image patterns restrict which images of an app a license may pull.
// `*` matches within one path segment, `**` across segments (`**/` also
// matches zero segments: `**/api` matches `api`); an empty list means every
// image of the app.
//
// Patterns are typed by tenants and matched on every pull, so matching must
// never backtrack: a pattern is compiled into literal chunks separated by
// wildcards and run as a set-of-positions automaton over the name (see
// matchCompiled), O(wildcards × name length + pattern length) per pattern.

/** Limits per license, shown by the customer form and the API. */
export const MAX_IMAGE_PATTERNS = 50;
export const MAX_IMAGE_PATTERN_LENGTH = 255;
export const MAX_PATTERN_WILDCARDS = 4;

const PATTERN_CHARS = /^[a-z0-9._\-/*:]+$/;

/** Why a pattern is invalid, or null when it is a valid glob. */
export function imagePatternProblem(pattern: string): string | null {
  if (pattern.length === 0) return "Must not be empty.";
  if (pattern.length > MAX_IMAGE_PATTERN_LENGTH) return `Must be at most ${MAX_IMAGE_PATTERN_LENGTH} characters.`;
  if (!PATTERN_CHARS.test(pattern)) return "Use lowercase letters, digits, . _ - / : and * only.";
  if (pattern.startsWith("/") || pattern.endsWith("/")) return "Must not start or end with /.";
  if (pattern.includes("//")) return "Must not contain an empty path segment (//).";
  if (pattern.includes("***")) return "Use * (one segment) or ** (any depth), not ***.";
  if (parse(pattern).wildcards.length > MAX_PATTERN_WILDCARDS) return `Use at most ${MAX_PATTERN_WILDCARDS} wildcards (* or **) in one pattern.`;
  return null;
}

/** `*` = any characters but `/`; `**` = any characters; `**\/` = nothing, or anything ending in `/`. */
type Wildcard = "segment" | "any" | "anyDirs";

type CompiledPattern = {
  /** Literal text around the wildcards: chunks.length === wildcards.length + 1 (chunks may be empty). */
  chunks: string[];
  wildcards: Wildcard[];
  /** Shift-And table of each chunk of up to 32 ASCII characters (character code → bit mask), else null... */
  shiftAnd: (Uint32Array | null)[];
  /** ...and the KMP failure table for longer ones: either finds every occurrence in one pass. */
  failure: (Int32Array | null)[];
  /** Character codes of each chunk, for the KMP pass. */
  chunkCodes: Uint8Array[];
};

const compiled = new Map<string, CompiledPattern>();

function compile(pattern: string): CompiledPattern {
  let result = compiled.get(pattern);
  if (result) return result;
  result = parse(pattern);
  if (compiled.size >= 10_000) compiled.clear();
  compiled.set(pattern, result);
  return result;
}

function parse(pattern: string): CompiledPattern {
  const chunks: string[] = [];
  const wildcards: Wildcard[] = [];
  let chunk = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c !== "*") {
      chunk += c;
      continue;
    }
    chunks.push(chunk);
    chunk = "";
    if (pattern[i + 1] === "*") {
      i++;
      if (pattern[i + 1] === "/") {
        i++;
        wildcards.push("anyDirs");
      } else {
        wildcards.push("any");
      }
    } else {
      wildcards.push("segment");
    }
  }
  chunks.push(chunk);
  const shiftAnd = chunks.map((c) => (c.length <= 32 ? shiftAndTable(c) : null));
  // Outside ASCII a pattern (never valid, so never stored) gets 255 and a name 128: they never match.
  const chunkCodes = chunks.map((c) => Uint8Array.from(c, (ch) => (ch.charCodeAt(0) < 128 ? ch.charCodeAt(0) : 255)));
  return { chunks, wildcards, shiftAnd, chunkCodes, failure: chunkCodes.map((c, i) => (shiftAnd[i] ? null : failureTable(c))) };
}

function shiftAndTable(text: string): Uint32Array | null {
  const table = new Uint32Array(129);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128) return null;
    table[c]! |= 1 << i;
  }
  return table;
}

function failureTable(text: Uint8Array): Int32Array {
  const table = new Int32Array(text.length);
  for (let i = 1, k = 0; i < text.length; i++) {
    while (k > 0 && text[i] !== text[k]) k = table[k - 1]!;
    if (text[i] === text[k]) k++;
    table[i] = k;
  }
  return table;
}

// Position sets are bit sets over the name's positions 0..n (bit p: the
// pattern read so far can end just before name[p]), 32 positions a word, so
// a wildcard maps a set forward in a few word operations.

/** What the wildcards need to know about one name. */
type NameMasks = {
  name: string;
  words: number;
  /** Positions p ≥ 1 with name[p - 1] !== "/": a `*` may step from p - 1 to p. */
  inSegment: Uint32Array;
  /** Positions p with name[p - 1] === "/". */
  afterSlash: Uint32Array;
  /** The name's character codes, 128 for anything outside ASCII (no pattern holds it). */
  codes: Uint8Array;
  /** Two position sets for the matcher to alternate between. */
  scratch: [Uint32Array, Uint32Array];
};

function nameMasks(name: string): NameMasks {
  const n = name.length;
  const words = (n >>> 5) + 1;
  const inSegment = new Uint32Array(words);
  const afterSlash = new Uint32Array(words);
  const codes = new Uint8Array(n);
  for (let i = 0; i < n; i++) codes[i] = Math.min(name.charCodeAt(i), 128);
  for (let p = 1; p <= n; p++) {
    const bit = 1 << (p & 31);
    if (name.charCodeAt(p - 1) === 0x2f) afterSlash[p >>> 5]! |= bit;
    else inSegment[p >>> 5]! |= bit;
  }
  return { name, words, inSegment, afterSlash, codes, scratch: [new Uint32Array(words), new Uint32Array(words)] };
}

const has = (set: Uint32Array, p: number) => (set[p >>> 5]! & (1 << (p & 31))) !== 0;

function lowest(set: Uint32Array): number {
  for (let w = 0; w < set.length; w++) {
    const x = set[w]!;
    if (x !== 0) return (w << 5) + 31 - Math.clz32(x & -x);
  }
  return -1;
}

/**
 * Does the pattern match the name from one of `starts` to its end? Each
 * wildcard and each literal chunk maps the position set forward in one pass,
 * so no input makes this backtrack.
 */
function matchCompiled(p: CompiledPattern, m: NameMasks, starts: readonly number[]): boolean {
  const { name } = m;
  const n = name.length;
  const { chunks, wildcards } = p;
  const head = chunks[0]!;
  if (wildcards.length === 0) return starts.some((s) => n - s === head.length && name.startsWith(head, s));

  let cur = m.scratch[0]!;
  let next = m.scratch[1]!;
  cur.fill(0);
  for (const s of starts) if (name.startsWith(head, s)) cur[(s + head.length) >>> 5]! |= 1 << ((s + head.length) & 31);

  const last = wildcards.length;
  for (let w = 0; w < last; w++) {
    if (!applyWildcard(wildcards[w]!, m, cur, next)) return false;
    [cur, next] = [next, cur];
    const chunk = chunks[w + 1]!;
    if (w + 1 === last) {
      // The final chunk is anchored at the end of the name.
      const at = n - chunk.length;
      return at >= 0 && has(cur, at) && name.endsWith(chunk);
    }
    if (chunk.length > 0) {
      // Before `**` only the lowest position matters: stop at the first occurrence.
      if (!applyChunk(p, w + 1, m, cur, next, wildcards[w + 1] === "any")) return false;
      [cur, next] = [next, cur];
    }
  }
  return false;
}

/** Positions reachable from `from` through the wildcard; false when there are none. */
function applyWildcard(kind: Wildcard, m: NameMasks, from: Uint32Array, to: Uint32Array): boolean {
  const low = lowest(from);
  if (low < 0) return false;
  const lowWord = low >>> 5;
  to.fill(0, 0, lowWord);
  if (kind === "segment") {
    // Smear each position upwards through the run of positions a `*` can
    // step into: x + from carries from every set bit to the end of its run.
    let carry = 0;
    for (let w = lowWord; w < m.words; w++) {
      const f = from[w]!;
      const x = (f | m.inSegment[w]!) >>> 0;
      const sum = x + f + carry;
      carry = sum > 0xffffffff ? 1 : 0;
      to[w] = f | (((sum >>> 0) ^ x) & x);
    }
  } else {
    // Everything above the lowest position (`**`), or only positions just
    // after a "/" above it (`**\/`), plus the positions themselves.
    for (let w = lowWord; w < m.words; w++) {
      const above = w === lowWord ? ~((2 << (low & 31)) - 1) : ~0;
      to[w] = kind === "any" ? above | from[w]! : (m.afterSlash[w]! & above) | from[w]!;
    }
  }
  return true;
}

/** Ends of every occurrence of chunk `i` that starts at a position of `from` (one pass over the name). */
function applyChunk(p: CompiledPattern, i: number, m: NameMasks, from: Uint32Array, to: Uint32Array, firstOnly: boolean): boolean {
  const { codes } = m;
  to.fill(0);
  const first = lowest(from);
  if (first < 0) return false;
  const len = p.chunks[i]!.length;
  const n = codes.length;
  let reached = false;
  const shiftAnd = p.shiftAnd[i];
  if (shiftAnd) {
    // Shift-And: bit k of state = the last k+1 characters equal the chunk's first k+1.
    const done = 1 << (len - 1);
    for (let j = first, state = 0; j < n; j++) {
      state = ((state << 1) | 1) & shiftAnd[codes[j]!]!;
      const start = j + 1 - len;
      if ((state & done) !== 0 && (from[start >>> 5]! & (1 << (start & 31))) !== 0) {
        to[(j + 1) >>> 5]! |= 1 << ((j + 1) & 31);
        if (firstOnly) return true;
        reached = true;
      }
    }
    return reached;
  }
  const chunk = p.chunkCodes[i]!;
  const failure = p.failure[i]!;
  for (let j = first, k = 0; j < n; j++) {
    const c = codes[j]!;
    while (k > 0 && c !== chunk[k]) k = failure[k - 1]!;
    if (c === chunk[k]) k++;
    if (k === len) {
      const start = j + 1 - len;
      if ((from[start >>> 5]! & (1 << (start & 31))) !== 0) {
        to[(j + 1) >>> 5]! |= 1 << ((j + 1) & 31);
        if (firstOnly) return true;
        reached = true;
      }
      k = failure[k - 1]!;
    }
  }
  return reached;
}

/**
 * Does the image match any pattern? `image` is the path after the app slug,
 * e.g. `ghcr.io/acme/api` or `docker.io/library/nginx` (no tag or digest). A
 * pattern may name the upstream (`ghcr.io/acme/*`) or leave it out (`acme/*`).
 */
export function imageMatchesPatterns(image: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  const slash = image.indexOf("/");
  // Matching from just after the upstream is the same automaton with a second start.
  const starts = slash > 0 ? [0, slash + 1] : [0];
  const masks = nameMasks(image);
  return patterns.some((p) => matchCompiled(compile(p), masks, starts));
}
