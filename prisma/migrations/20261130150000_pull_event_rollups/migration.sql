-- Pull-event retention (issue 15): hourly rollups of pulls, kept for good, that
-- the charts and "versions in use" read; raw rows can then be deleted after
-- PULLGATE_PULL_EVENT_RETENTION_DAYS. Existing events are rolled up here.

-- CreateTable
CREATE TABLE "PullEventHourly" (
    "id" BIGSERIAL NOT NULL,
    "hour" TIMESTAMP(3) NOT NULL,
    "teamId" TEXT NOT NULL,
    "appId" TEXT,
    "customerId" TEXT,
    "repository" TEXT NOT NULL,
    "tag" TEXT,
    "outcome" TEXT NOT NULL,
    "pulls" BIGINT NOT NULL,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "lastTime" TIMESTAMP(3) NOT NULL,
    "lastEventId" BIGINT NOT NULL,
    "lastDigest" TEXT,

    CONSTRAINT "PullEventHourly_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PullTeamHourly" (
    "teamId" TEXT NOT NULL,
    "hour" TIMESTAMP(3) NOT NULL,
    "outcome" TEXT NOT NULL,
    "pulls" BIGINT NOT NULL,

    CONSTRAINT "PullTeamHourly_pkey" PRIMARY KEY ("teamId","hour","outcome")
);

-- CreateTable
CREATE TABLE "PullEventRollupState" (
    "id" INTEGER NOT NULL,
    "rolledUpToId" BIGINT NOT NULL DEFAULT 0,
    "safeId" BIGINT NOT NULL DEFAULT 0,
    "horizonId" BIGINT NOT NULL DEFAULT 0,
    "horizonAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PullEventRollupState_pkey" PRIMARY KEY ("id")
);

-- Groups without an app, customer or tag are one group each (NULLS NOT DISTINCT), so ON CONFLICT adds to them.
CREATE UNIQUE INDEX "PullEventHourly_teamId_hour_appId_customerId_repository_tag_outcome_key" ON "PullEventHourly"("teamId", "hour", "appId", "customerId", "repository", "tag", "outcome") NULLS NOT DISTINCT;

-- CreateIndex
CREATE INDEX "PullEventHourly_teamId_customerId_hour_idx" ON "PullEventHourly"("teamId", "customerId", "hour");

-- AddForeignKey
ALTER TABLE "PullEventHourly" ADD CONSTRAINT "PullEventHourly_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PullTeamHourly" ADD CONSTRAINT "PullTeamHourly_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A customer's latest pulls on its page (newest id first) without walking the team's pulls.
CREATE INDEX "PullEvent_pulls_teamId_customerId_id_idx" ON "PullEvent"("teamId", "customerId", "id") WHERE "isPull";

-- Backfill: every pull so far, by the outcome rule of lib/pulls/pull-filters.ts
-- (denied = the license refusals of lib/licenses/decide-pull.ts as of this migration).
CREATE TEMPORARY TABLE "_pull_backfill" ON COMMIT DROP AS
SELECT e."id", e."time", e."teamId", e."appId", e."customerId", e."repository", e."tag", e."bytes",
       COALESCE(e."digest", CASE WHEN e."reference" LIKE '%:%' THEN e."reference" END) AS "digest",
       CASE WHEN e."status" < 400 THEN 'success'
            WHEN e."reason" IN ('expired', 'access_off', 'archived', 'not_in_license', 'wrong_app', 'bad_credentials') THEN 'denied'
            WHEN e."reason" = 'not_found' THEN 'not_found'
            WHEN e."reason" = 'upstream_error' THEN 'upstream_error'
            ELSE 'error' END AS "outcome"
FROM "PullEvent" e WHERE e."isPull";

INSERT INTO "PullEventHourly" ("hour", "teamId", "appId", "customerId", "repository", "tag", "outcome", "pulls", "bytes", "lastTime", "lastEventId", "lastDigest")
SELECT date_trunc('hour', b."time"), b."teamId", b."appId", b."customerId", b."repository", b."tag", b."outcome",
       count(*), sum(b."bytes"), max(b."time"),
       (array_agg(b."id" ORDER BY b."time" DESC, b."id" DESC))[1],
       (array_agg(b."digest" ORDER BY b."time" DESC, b."id" DESC))[1]
FROM "_pull_backfill" b
GROUP BY 1, 2, 3, 4, 5, 6, 7;

INSERT INTO "PullTeamHourly" ("teamId", "hour", "outcome", "pulls")
SELECT b."teamId", date_trunc('hour', b."time"), b."outcome", count(*) FROM "_pull_backfill" b GROUP BY 1, 2, 3;

INSERT INTO "PullEventRollupState" ("id", "rolledUpToId", "safeId", "horizonId", "horizonAt")
SELECT 1, m, m, m, CURRENT_TIMESTAMP FROM (SELECT COALESCE(max("id"), 0) AS m FROM "PullEvent") x;
