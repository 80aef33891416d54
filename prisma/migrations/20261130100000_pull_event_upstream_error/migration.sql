-- Customers see only "the vendor's registry is unreachable"; the vendor's pull
-- events keep which host failed and how (lib/outbound, proxy/upstream-failure.ts).
ALTER TABLE "PullEvent" ADD COLUMN "upstreamError" TEXT;
