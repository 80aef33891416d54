import fs from "node:fs";
import path from "node:path";

// The Prisma schema's DMMF (models, fields, enums, indexes), computed offline
// by the prisma-schema wasm module that ships inside the `prisma` package
// (what `prisma generate` itself uses). Only the few wasm-bindgen imports the
// module needs are provided; they are matched by name so a Prisma update that
// renames the hashed import names keeps working.

export type DmmfField = {
  name: string;
  kind: "scalar" | "object" | "enum" | "unsupported";
  type: string;
  dbName: string | null;
  isList: boolean;
  isRequired: boolean;
  isId: boolean;
  isUnique: boolean;
  relationFromFields?: string[];
  relationName?: string | null;
};
export type DmmfModel = { name: string; dbName: string | null; fields: DmmfField[] };
export type DmmfIndex = { model: string; type: "id" | "unique" | "normal" | "fulltext"; isDefinedOnField: boolean; dbName?: string | null; fields: Array<{ name: string }> };
export type Dmmf = {
  datamodel: {
    models: DmmfModel[];
    enums: Array<{ name: string; dbName: string | null; values: Array<{ name: string; dbName: string | null }> }>;
    indexes?: DmmfIndex[];
  };
};

export function getDmmf(schemaPath: string): Dmmf {
  const root = path.resolve(import.meta.dirname, "../..");
  const bytes = fs.readFileSync(path.join(root, "node_modules/prisma/build/prisma_schema_build_bg.wasm"));
  const module = new WebAssembly.Module(bytes);
  let exports: Record<string, unknown> & { memory: WebAssembly.Memory } = null as never;
  const decoder = new TextDecoder();
  const readString = (ptr: number, len: number) => decoder.decode(new Uint8Array(exports.memory.buffer, ptr, len));

  const imports: Record<string, Record<string, unknown>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    const table = (imports[imp.module] ??= {});
    if (imp.name.includes("init_externref_table")) {
      table[imp.name] = () => {
        const refs = exports.__wbindgen_externrefs as WebAssembly.Table;
        const offset = refs.grow(4);
        refs.set(0, undefined);
        refs.set(offset, undefined);
        refs.set(offset + 1, null);
        refs.set(offset + 2, true);
        refs.set(offset + 3, false);
      };
    } else if (imp.name.includes("wbindgen_throw")) {
      table[imp.name] = (ptr: number, len: number) => {
        throw new Error(readString(ptr, len));
      };
    } else if (imp.name.includes("Error_")) {
      table[imp.name] = (ptr: number, len: number) => new Error(readString(ptr, len));
    } else {
      table[imp.name] = () => {}; // panic-message registry: the panic surfaces as an exception anyway
    }
  }
  exports = new WebAssembly.Instance(module, imports as WebAssembly.Imports).exports as typeof exports;
  (exports.__wbindgen_start as () => void)();

  const call = <T extends (...args: never[]) => unknown>(name: string) => exports[name] as unknown as T;
  const input = new TextEncoder().encode(JSON.stringify({ prismaSchema: fs.readFileSync(schemaPath, "utf8"), noColor: true }));
  const ptr = call<(size: number, align: number) => number>("__wbindgen_malloc")(input.length, 1) >>> 0;
  new Uint8Array(exports.memory.buffer, ptr, input.length).set(input);
  const [outPtr, outLen, errRef, isErr] = call<(p: number, l: number) => [number, number, number, number]>("get_dmmf")(ptr, input.length);
  if (isErr) {
    const refs = exports.__wbindgen_externrefs as WebAssembly.Table;
    throw refs.get(errRef) as Error;
  }
  const json = readString(outPtr, outLen);
  call<(p: number, l: number, a: number) => void>("__wbindgen_free")(outPtr, outLen, 1);
  return JSON.parse(json) as Dmmf;
}
