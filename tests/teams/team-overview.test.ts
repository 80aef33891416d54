import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import * as appsRoute from "@/app/api/v1/apps/route";
import * as customersRoute from "@/app/api/v1/customers/route";
import * as archiveRoute from "@/app/api/v1/customers/[id]/archive/route";
import { getTeamOverview } from "@/lib/teams/get-team-overview";
import { call, makeTeam, type TeamFixture } from "../api/fixtures";

async function addCustomers(team: TeamFixture, count: number, archived: number): Promise<void> {
  const app = (await call(appsRoute.POST, "POST", { token: team.token, body: { name: "Overview app", slug: `ov-${randomUUID().slice(0, 8)}` } })).json.app;
  for (let i = 0; i < count; i++) {
    const { json } = await call(customersRoute.POST, "POST", { token: team.token, body: { appId: app.id, name: `Customer ${i}` } });
    if (i < archived) await call(archiveRoute.POST, "POST", { token: team.token, params: { id: json.customer.id } });
  }
}

// The dashboard's figures: every count is the team's own.
describe("getTeamOverview", () => {
  it("counts the team's apps, registries, customers and the customers not archived, never another team's", async () => {
    const team = await makeTeam("Overview");
    const other = await makeTeam("Other");
    expect(await getTeamOverview(team.actor)).toEqual({ apps: 0, registries: 0, customers: 0, activeCustomers: 0 });
    await addCustomers(team, 5, 2);
    await addCustomers(other, 3, 1);
    expect(await getTeamOverview(team.actor)).toEqual({ apps: 1, registries: 0, customers: 5, activeCustomers: 3 });
    expect(await getTeamOverview(other.actor)).toEqual({ apps: 1, registries: 0, customers: 3, activeCustomers: 2 });
  });
});
