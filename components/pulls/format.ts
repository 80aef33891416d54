/** Human sizes for the Pulls tables: 1.2 MB, 340 KB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

export function shortDigest(digest: string | null): string | null {
  return digest ? `${digest.slice(0, 19)}…` : null;
}

export { imageName } from "@/lib/pulls/image-name";

/** `proxy/<app>/<registry>/<image>` → the app slug and `<registry>/<image>` (a table shows them apart). */
export function splitAppImage(repository: string): { app: string | null; image: string } {
  const m = /^proxy\/([^/]+)\/(.+)$/.exec(repository);
  return m ? { app: m[1]!, image: m[2]! } : { app: null, image: repository };
}

/** What a request or image version pulled: the tag as is, a digest shortened, "—" when neither is known. */
export function shownReference({ reference, digest }: { reference: string | null; digest: string | null }): string {
  return (reference && !reference.includes(":") ? reference : shortDigest(digest ?? reference)) ?? "—";
}

export function statusVariant(status: number): "success" | "warning" | "danger" | "neutral" {
  if (status < 400) return "success";
  if ([401, 403, 404, 429].includes(status)) return "warning";
  return "danger";
}
