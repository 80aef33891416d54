// How the proxy process is started (environment and V8 flags), by `pullgate start`
// and by the tests and benchmarks that start it the same way.
//
// Environment: glibc gives every thread that allocates its own malloc arena;
// with many concurrent streams that multiplies resident memory for no gain, so
// two arenas are enough.
export function proxyProcessEnv(): Record<string, string> {
  return { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? "2" };
}

/**
 * V8 flags of the proxy process. Prisma's query compiler is a large
 * WebAssembly module; V8 also compiles it with its optimizing tier, which
 * costs the idle proxy ~40 MiB of resident memory (measured: 147–154 → 110
 * MiB). The proxy runs few queries (authorization data is cached until a
 * change notification), so the baseline compiler is enough.
 */
export const PROXY_V8_FLAGS = ["--liftoff-only"];
