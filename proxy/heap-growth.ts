import v8 from "node:v8";
import { config } from "@/lib/config";

// V8 counts external memory allocated since the last full GC (ArrayBuffer
// backing stores: every socket read of a proxied blob is a fresh one) against
// the old generation's allocation limit, which it sets at about 1.7× the live
// heap (~30 MB in this process). Streaming a cold blob at 200+ MiB/s used that
// slack up every ~20 MiB: about 50 mark-compacts per cold GiB, each marking the
// whole heap on the main thread and V8's helper threads (measured: more CPU than
// the sha256 of the blob). With the limit at 3× the live heap after each full
// GC, about 9 per GiB remain. The cost is a larger heap between collections
// (tens of MB, not per download). PULLGATE_HEAP_GROWING_PERCENT overrides the
// growth (200 = limit at 3× live); 0 leaves V8's own heuristic.

export function tuneHeapGrowth(percent: number = config.heapGrowingPercent): void {
  if (percent <= 0) return;
  // Read by V8 each time it recomputes the limits, so setting it at start-up takes effect.
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
