// Environment the proxy process is started with (by `pullgate start` and by
// the tests and benchmarks that start it the same way). glibc gives every
// thread that allocates its own malloc arena; with many concurrent streams
// that multiplies resident memory for no gain, so two arenas are enough.
export function proxyProcessEnv(): Record<string, string> {
  return { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? "2" };
}
