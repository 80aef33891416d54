import { stringify } from "yaml";

// One result, three forms: an aligned table for people (default), JSON and
// YAML for scripts. Lists print as arrays, single objects as objects.

export const OUTPUT_FORMATS = ["table", "json", "yaml"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export type Column<T> = [header: string, value: (item: T) => unknown];

export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (Array.isArray(value)) return value.length ? value.join(",") : "-";
  if (typeof value === "object") return JSON.stringify(value);
  // Keep one row per item: control characters (a newline in a name) would break the table.
  return String(value).replace(/[\u0000-\u001f\u007f]/g, " ");
}

export function renderTable<T>(items: T[], columns: Column<T>[]): string {
  const rows = [columns.map(([h]) => h), ...items.map((item) => columns.map(([, get]) => formatCell(get(item))))];
  const widths = columns.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd()).join("\n") + "\n";
}

/** Key/value lines for one object (table form of a single item). */
export function renderRecord<T>(item: T, columns: Column<T>[]): string {
  const width = Math.max(...columns.map(([h]) => h.length));
  return columns.map(([h, get]) => `${(h + ":").padEnd(width + 1)}  ${formatCell(get(item))}`).join("\n") + "\n";
}

export function render(data: unknown, format: Exclude<OutputFormat, "table">): string {
  return format === "json" ? JSON.stringify(data, null, 2) + "\n" : stringify(data);
}

export class Printer {
  constructor(
    readonly format: OutputFormat,
    private readonly out: (text: string) => void = (t) => process.stdout.write(t),
  ) {}

  list<T>(items: T[], columns: Column<T>[]): void {
    if (this.format === "table") this.out(items.length ? renderTable(items, columns) : "(none)\n");
    else this.out(render(items, this.format));
  }

  one<T>(item: T, columns: Column<T>[]): void {
    this.out(this.format === "table" ? renderRecord(item, columns) : render(item, this.format));
  }

  /** Text that is already the result (a pull secret): printed as is in table form. */
  text(text: string, structured: unknown): void {
    this.out(this.format === "table" ? (text.endsWith("\n") ? text : text + "\n") : render(structured, this.format));
  }
}
