import pg from "pg";
import type { Dmmf, DmmfField, DmmfModel } from "./prisma-dmmf";

// Compares a migrated database with the Prisma schema's DMMF and lists every
// difference a `prisma migrate diff` would care about: tables, columns (type,
// nullability, whether the database supplies a default), enums, primary keys,
// unique and plain indexes, and foreign keys with their ON DELETE action.
// Extra plain indexes made by raw-SQL migrations (trigram search, covering
// sort indexes) are allowed: they change speed, never behaviour. Partial
// unique indexes change behaviour but cannot be written in schema.prisma:
// those listed in PARTIAL_UNIQUE_INDEXES must exist exactly, and no others.

/** Unique indexes with a WHERE clause, made by migrations (each documented next to its model in schema.prisma). */
export const PARTIAL_UNIQUE_INDEXES = [{ table: "CustomDomain", columns: ["hostname"], predicate: `(status = 'verified'::"DomainStatus")` }];

const SCALAR_TYPES: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Boolean: "boolean",
  DateTime: "timestamp(3) without time zone",
  Json: "jsonb",
  Float: "double precision",
  Decimal: "numeric(65,30)",
  Bytes: "bytea",
};
const CLIENT_SIDE_DEFAULTS = new Set(["cuid", "uuid", "nanoid", "ulid"]);
const ON_DELETE: Record<string, string> = { Cascade: "c", Restrict: "r", SetNull: "n", NoAction: "a", SetDefault: "d" };

type Column = { table: string; column: string; type: string; notNull: boolean; hasDefault: boolean };
type Index = { table: string; name: string; columns: string[]; unique: boolean; primary: boolean; predicate?: string | null };
type ForeignKey = { table: string; columns: string[]; refTable: string; refColumns: string[]; onDelete: string };

const tableOf = (m: DmmfModel) => m.dbName ?? m.name;
const columnOf = (f: DmmfField) => f.dbName ?? f.name;

type Expected = { tables: Map<string, Column[]>; indexes: Index[]; foreignKeys: ForeignKey[]; enums: Map<string, string[]> };

function expectedFromDmmf(dmmf: Dmmf): Expected {
  const models = new Map(dmmf.datamodel.models.map((m) => [m.name, m]));
  const enums = new Map(dmmf.datamodel.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)]));
  const enumNames = new Map(dmmf.datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const tables = new Map<string, Column[]>();
  const indexes: Index[] = [];
  const foreignKeys: ForeignKey[] = [];

  for (const model of dmmf.datamodel.models) {
    const table = tableOf(model);
    const columns: Column[] = [];
    for (const f of model.fields) {
      if (f.kind === "object") continue;
      const base = f.kind === "enum" ? enumNames.get(f.type)! : SCALAR_TYPES[f.type] ?? `<unmapped ${f.type}>`;
      const field = f as DmmfField & { hasDefaultValue?: boolean; default?: unknown; isUpdatedAt?: boolean };
      const defaultName = typeof field.default === "object" && field.default && "name" in field.default ? String(field.default.name) : null;
      columns.push({
        table,
        column: columnOf(f),
        type: f.isList ? `${base}[]` : base,
        // Prisma writes scalar lists as nullable columns even though the list is required.
        notNull: f.isList ? false : f.isRequired,
        hasDefault: Boolean(field.hasDefaultValue) && !(defaultName && CLIENT_SIDE_DEFAULTS.has(defaultName)),
      });
    }
    tables.set(table, columns);

    for (const f of model.fields) {
      if (f.kind !== "object" || !f.relationFromFields?.length) continue;
      const rel = f as DmmfField & { relationToFields: string[]; relationOnDelete?: string };
      const target = models.get(f.type)!;
      const fieldCol = (m: DmmfModel, n: string) => columnOf(m.fields.find((x) => x.name === n)!);
      const optional = f.relationFromFields.some((n) => !model.fields.find((x) => x.name === n)!.isRequired);
      foreignKeys.push({
        table,
        columns: f.relationFromFields.map((n) => fieldCol(model, n)),
        refTable: tableOf(target),
        refColumns: rel.relationToFields.map((n) => fieldCol(target, n)),
        onDelete: ON_DELETE[rel.relationOnDelete ?? (optional ? "SetNull" : "Restrict")]!,
      });
    }

    // Implicit many-to-many: both sides are lists and neither holds the keys.
    for (const f of model.fields) {
      if (f.kind !== "object" || !f.isList || f.relationFromFields?.length) continue;
      const other = models.get(f.type)!;
      const back = other.fields.find((x) => x.relationName === f.relationName && x !== f);
      if (!back?.isList || model.name > other.name) continue; // handle each pair once, from the first side
      const joinTable = `_${f.relationName}`;
      const idOf = (m: DmmfModel) => m.fields.find((x) => x.isId)!;
      const [a, b] = [model, other];
      tables.set(joinTable, [
        { table: joinTable, column: "A", type: SCALAR_TYPES[idOf(a).type]!, notNull: true, hasDefault: false },
        { table: joinTable, column: "B", type: SCALAR_TYPES[idOf(b).type]!, notNull: true, hasDefault: false },
      ]);
      indexes.push({ table: joinTable, name: "", columns: ["A", "B"], unique: true, primary: true });
      indexes.push({ table: joinTable, name: "", columns: ["B"], unique: false, primary: false });
      foreignKeys.push({ table: joinTable, columns: ["A"], refTable: tableOf(a), refColumns: [columnOf(idOf(a))], onDelete: "c" });
      foreignKeys.push({ table: joinTable, columns: ["B"], refTable: tableOf(b), refColumns: [columnOf(idOf(b))], onDelete: "c" });
    }
  }

  for (const idx of dmmf.datamodel.indexes ?? []) {
    const model = models.get(idx.model)!;
    indexes.push({
      table: tableOf(model),
      name: idx.dbName ?? "",
      columns: idx.fields.map((f) => columnOf(model.fields.find((x) => x.name === f.name)!)),
      unique: idx.type === "id" || idx.type === "unique",
      primary: idx.type === "id",
    });
  }
  return { tables, indexes, foreignKeys, enums };
}

async function actualFromDatabase(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = (
      await client.query<{ table: string; column: string; type: string; not_null: boolean; has_default: boolean }>(`
        SELECT c.relname::text AS table, a.attname::text AS column, format_type(a.atttypid, a.atttypmod) AS type,
               a.attnotnull AS not_null, a.atthasdef AS has_default
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
          AND c.relname <> '_prisma_migrations'
        ORDER BY c.relname, a.attnum`)
    ).rows;
    const indexes = (
      await client.query<{ table: string; name: string; columns: string[]; unique: boolean; primary: boolean; predicate: string | null }>(`
        SELECT t.relname AS table, i.relname AS name, ix.indisunique AS unique, ix.indisprimary AS primary,
               pg_get_expr(ix.indpred, ix.indrelid) AS predicate,
               array(SELECT pg_get_indexdef(ix.indexrelid, k + 1, true) FROM generate_subscripts(ix.indkey, 1) AS k ORDER BY k) AS columns
        FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = current_schema() AND t.relname <> '_prisma_migrations'`)
    ).rows;
    const foreignKeys = (
      await client.query<{ table: string; columns: string[]; ref_table: string; ref_columns: string[]; on_delete: string }>(`
        SELECT t.relname AS table, r.relname AS ref_table, con.confdeltype AS on_delete,
               array(SELECT attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute ON attrelid = con.conrelid AND attnum = k.n ORDER BY o) AS columns,
               array(SELECT attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute ON attrelid = con.confrelid AND attnum = k.n ORDER BY o) AS ref_columns
        FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_class r ON r.oid = con.confrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE con.contype = 'f' AND n.nspname = current_schema()`)
    ).rows;
    const enums = (
      await client.query<{ name: string; values: string[] }>(`
        SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = current_schema() GROUP BY t.typname`)
    ).rows;
    return { columns, indexes, foreignKeys, enums };
  } finally {
    await client.end();
  }
}

/** Human-readable differences between the schema and the database; empty when they agree. */
export async function findSchemaDrift(dmmf: Dmmf, databaseUrl: string): Promise<string[]> {
  const expected = expectedFromDmmf(dmmf);
  const actual = await actualFromDatabase(databaseUrl);
  const problems: string[] = [];

  // Enums (format_type quotes mixed-case names, so compare both spellings).
  const actualEnums = new Map(actual.enums.map((e) => [e.name, e.values]));
  for (const [name, values] of expected.enums) {
    const got = actualEnums.get(name);
    if (!got) problems.push(`enum ${name} is missing`);
    else if (got.join(",") !== values.join(",")) problems.push(`enum ${name} has values [${got}] but the schema says [${values}]`);
  }
  for (const name of actualEnums.keys()) if (!expected.enums.has(name)) problems.push(`enum ${name} exists but is not in the schema`);
  const normalizeType = (t: string) => t.replace(/"/g, "");

  // Tables and columns.
  const actualTables = new Map<string, typeof actual.columns>();
  for (const c of actual.columns) (actualTables.get(c.table) ?? actualTables.set(c.table, []).get(c.table)!).push(c);
  for (const [table, columns] of expected.tables) {
    const got = actualTables.get(table);
    if (!got) {
      problems.push(`table ${table} is missing`);
      continue;
    }
    for (const col of columns) {
      const g = got.find((c) => c.column === col.column);
      if (!g) {
        problems.push(`column ${table}.${col.column} is missing`);
        continue;
      }
      if (normalizeType(g.type) !== normalizeType(col.type)) problems.push(`column ${table}.${col.column} is ${g.type}, the schema says ${col.type}`);
      if (g.not_null !== col.notNull) problems.push(`column ${table}.${col.column} is ${g.not_null ? "NOT NULL" : "nullable"}, the schema says ${col.notNull ? "NOT NULL" : "nullable"}`);
      if (g.has_default !== col.hasDefault) problems.push(`column ${table}.${col.column} ${g.has_default ? "has" : "lacks"} a database default, the schema says it ${col.hasDefault ? "has one" : "has none"}`);
    }
    for (const g of got) if (!columns.some((c) => c.column === g.column)) problems.push(`column ${table}.${g.column} exists but is not in the schema`);
  }
  for (const table of actualTables.keys()) if (!expected.tables.has(table)) problems.push(`table ${table} exists but is not in the schema`);

  // Indexes: every schema index exists; no unique index or primary key the schema does not know.
  const key = (i: { table: string; columns: string[]; unique: boolean; primary: boolean; predicate?: string | null }) =>
    `${i.table}(${i.columns.join(",")})${i.primary ? " primary key" : i.unique ? " unique" : ""}${i.predicate ? ` where ${i.predicate}` : ""}`;
  const actualIndexes = actual.indexes.map((i) => ({ ...i, columns: i.columns.map((c) => c.replace(/^"(.*)"$/, "$1")) }));
  const actualKeys = new Set(actualIndexes.map(key));
  const partialUnique = PARTIAL_UNIQUE_INDEXES.map((i) => ({ ...i, unique: true, primary: false }));
  const expectedKeys = new Set([...expected.indexes, ...partialUnique].map(key));
  for (const idx of partialUnique) if (!actualKeys.has(key(idx))) problems.push(`index ${key(idx)} is missing`);
  for (const idx of expected.indexes) if (!actualKeys.has(key(idx))) problems.push(`index ${key(idx)} is missing`);
  for (const idx of actualIndexes) {
    if ((idx.unique || idx.primary) && !expectedKeys.has(key(idx))) problems.push(`index ${idx.name} ${key(idx)} exists but is not in the schema`);
  }

  // Foreign keys, compared whole (columns, target, ON DELETE).
  const fkKey = (f: ForeignKey) => `${f.table}(${f.columns.join(",")}) -> ${f.refTable}(${f.refColumns.join(",")}) on delete ${f.onDelete}`;
  const actualFks = new Set(actual.foreignKeys.map((f) => fkKey({ table: f.table, columns: f.columns, refTable: f.ref_table, refColumns: f.ref_columns, onDelete: f.on_delete })));
  const expectedFks = new Set(expected.foreignKeys.map(fkKey));
  for (const fk of expectedFks) if (!actualFks.has(fk)) problems.push(`foreign key ${fk} is missing`);
  for (const fk of actualFks) if (!expectedFks.has(fk)) problems.push(`foreign key ${fk} exists but is not in the schema`);

  return problems;
}
