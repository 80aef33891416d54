// Which tag an install instruction shows first: "latest" when the registry
// has it, else the highest version-looking tag (1.10.0 above 1.9.2, a release
// above its pre-releases), else the last in lexical order.

const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+](.*))?$/;

function versionKey(tag: string): [number, number, number, number] | null {
  const m = VERSION.exec(tag);
  if (!m) return null;
  // A tag with a suffix (1.2.0-rc1, 1.2.0-alpine) ranks below the plain release.
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0), m[4] === undefined ? 1 : 0];
}

export function suggestTag(tags: readonly string[]): string | null {
  if (tags.length === 0) return null;
  if (tags.includes("latest")) return "latest";
  let best: { tag: string; key: [number, number, number, number] } | null = null;
  for (const tag of tags) {
    const key = versionKey(tag);
    if (!key) continue;
    if (!best || compare(key, best.key) > 0) best = { tag, key };
  }
  return best?.tag ?? [...tags].sort().at(-1)!;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
