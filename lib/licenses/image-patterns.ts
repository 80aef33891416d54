// Image patterns restrict which images of an app a license may pull.
// `*` matches within one path segment, `**` across segments; an empty list
// means every image of the app.

const PATTERN_CHARS = /^[a-z0-9._\-/*:]+$/;

/** Why a pattern is invalid, or null when it is a valid glob. */
export function imagePatternProblem(pattern: string): string | null {
  if (pattern.length === 0) return "Must not be empty.";
  if (pattern.length > 255) return "Must be at most 255 characters.";
  if (!PATTERN_CHARS.test(pattern)) return "Use lowercase letters, digits, . _ - / : and * only.";
  if (pattern.startsWith("/") || pattern.endsWith("/")) return "Must not start or end with /.";
  if (pattern.includes("//")) return "Must not contain an empty path segment (//).";
  if (pattern.includes("***")) return "Use * (one segment) or ** (any depth), not ***.";
  return null;
}

const compiled = new Map<string, RegExp>();

function toRegExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re) return re;
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      i++;
      if (pattern[i + 1] === "/") {
        // "**/" also matches zero segments: "**/api" matches "api".
        i++;
        source += "(?:.*/)?";
      } else {
        source += ".*";
      }
    } else if (c === "*") {
      source += "[^/]*";
    } else {
      source += c.replace(/[.\-/:]/g, "\\$&");
    }
  }
  re = new RegExp(`^${source}$`);
  if (compiled.size > 10_000) compiled.clear();
  compiled.set(pattern, re);
  return re;
}

/**
 * Does the image match any pattern? `image` is the path after the app slug,
 * e.g. `ghcr.io/acme/api` or `docker.io/library/nginx` (no tag or digest). A
 * pattern may name the upstream (`ghcr.io/acme/*`) or leave it out (`acme/*`).
 */
export function imageMatchesPatterns(image: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  const slash = image.indexOf("/");
  const withoutUpstream = slash > 0 ? image.slice(slash + 1) : null;
  return patterns.some((p) => {
    const re = toRegExp(p);
    return re.test(image) || (withoutUpstream !== null && re.test(withoutUpstream));
  });
}
