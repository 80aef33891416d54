import { beforeAll, describe, expect, it } from "vitest";
import * as tokensRoute from "@/app/api/v1/tokens/route";
import * as tokenRoute from "@/app/api/v1/tokens/[id]/route";
import * as appsRoute from "@/app/api/v1/apps/route";
import { call, makeMember, makeTeam, type TeamFixture } from "./fixtures";

let a: TeamFixture;
let b: TeamFixture;

beforeAll(async () => {
  a = await makeTeam("Tokens A");
  b = await makeTeam("Tokens B");
});

describe("/api/v1/tokens", () => {
  it("creates a token shown once, lists it without the secret, and revokes it so it stops working", async () => {
    const created = await call(tokensRoute.POST, "POST", { token: a.token, body: { name: "release pipeline" } });
    expect(created.status).toBe(201);
    const plain: string = created.json.token;
    expect(plain).toMatch(/^pgt_[0-9A-Za-z]{8}_[0-9A-Za-z]{40}$/);
    expect(created.json.apiToken).toMatchObject({ name: "release pipeline", prefix: plain.slice(0, 12), revokedAt: null });
    expect((await call(appsRoute.GET, "GET", { token: plain })).status).toBe(200);

    const list = await call(tokensRoute.GET, "GET", { token: a.token });
    expect(list.json.tokens.map((t: { name: string }) => t.name).sort()).toEqual(["release pipeline", "tests"]);
    expect(list.text).not.toContain(plain.slice(13));
    expect(list.text).not.toMatch(/tokenHash/);

    const revoked = await call(tokenRoute.DELETE, "DELETE", { token: a.token, params: { id: created.json.apiToken.id } });
    expect(revoked.status).toBe(200);
    expect(revoked.json.apiToken.revokedAt).not.toBeNull();
    const refused = await call(appsRoute.GET, "GET", { token: plain });
    expect(refused.status).toBe(401);
  });

  it("keeps teams apart and read-only members out", async () => {
    const mine = (await call(tokensRoute.POST, "POST", { token: a.token, body: { name: "a only" } })).json.apiToken;
    const other = await call(tokenRoute.DELETE, "DELETE", { token: b.token, params: { id: mine.id } });
    expect(other.status).toBe(404);
    const bList = await call(tokensRoute.GET, "GET", { token: b.token });
    expect(bList.json.tokens.map((t: { id: string }) => t.id)).not.toContain(mine.id);
    const member = await makeMember(a.teamId);
    expect((await call(tokensRoute.POST, "POST", { token: member.token, body: { name: "x" } })).status).toBe(403);
    expect((await call(tokenRoute.DELETE, "DELETE", { token: member.token, params: { id: mine.id } })).status).toBe(403);
  });

  it("answers a bad name with a message naming the field", async () => {
    for (const body of [{}, { name: "" }, { name: "x".repeat(101) }, { name: 5 }]) {
      const res = await call(tokensRoute.POST, "POST", { token: a.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.issues[0].path).toBe("name");
    }
  });
});
