import type { Metadata } from "next";
import Link from "next/link";
import { Activity, Boxes, Database, Users } from "lucide-react";
import { PageHeader } from "@/components/ui/page-header";
import { GettingStarted, type SetupStep } from "@/components/portal/getting-started";
import { StatCard } from "@/components/portal/stat-card";
import { PullActivityChart } from "@/components/pulls/pull-activity-chart";
import { PullsTable } from "@/components/pulls/pulls-table";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { canWrite } from "@/lib/auth/actor";
import { requireSessionActor } from "@/lib/auth/session";
import { listPullEvents } from "@/lib/pulls/list-pull-events";
import { getPullActivity, totalActivity } from "@/lib/pulls/pull-activity";
import { PullTotalsRow } from "@/components/pulls/pull-totals";
import { getTeamOverview } from "@/lib/teams/get-team-overview";

export const metadata: Metadata = { title: "Dashboard · Pullgate" };

export default async function DashboardPage() {
  const actor = await requireSessionActor();
  const [overview, activity, { pulls: recentPulls }] = await Promise.all([
    getTeamOverview(actor),
    getPullActivity(actor, { days: 14 }),
    listPullEvents(actor, { limit: 5, kind: "pulls" }),
  ]);
  const totals = totalActivity(activity);
  const writable = canWrite(actor);

  const steps: SetupStep[] = [
    {
      title: "Link a container registry",
      description: "Give Pullgate read access to where your images live: Docker Hub, GHCR, ECR, Artifact Registry, Quay or any registry.",
      done: overview.registries > 0,
      action: { href: "/settings/registries", label: "Link a registry" },
    },
    {
      title: "Create an app",
      description: "An app groups the images you ship together; its slug becomes part of every image path.",
      done: overview.apps > 0,
      action: { href: "/apps/new", label: "Create an app" },
    },
    {
      title: "Add a customer",
      description: "Each customer gets a license ID they use as their registry password. Add customers from an app's page.",
      done: overview.customers > 0,
    },
  ];
  const isNewTeam = overview.apps === 0 && overview.registries === 0 && overview.customers === 0;

  return (
    <>
      <PageHeader title="Dashboard" description="Your apps, customers and the registries Pullgate proxies for them." />
      {isNewTeam ? (
        <GettingStarted steps={steps} canWrite={writable} welcome />
      ) : (
        <div className="grid grid-cols-[minmax(0,1fr)] gap-6">
          <div className="grid grid-cols-2 gap-4 xl:grid-cols-4">
            <StatCard label="Apps" value={overview.apps} icon={Boxes} href="/apps" />
            <StatCard
              label="Customers"
              value={overview.activeCustomers}
              icon={Users}
              href="/customers"
              hint={overview.customers > overview.activeCustomers ? `${overview.customers - overview.activeCustomers} archived` : undefined}
            />
            <StatCard label="Linked registries" value={overview.registries} icon={Database} href="/settings/registries" />
            <StatCard
              label="Pulls, 14 days"
              value={totals.pulls}
              icon={Activity}
              href="/pulls?range=30d"
              hint={totals.denied > 0 ? `${totals.denied.toLocaleString("en-US")} denied` : undefined}
            />
          </div>
          {steps.some((s) => !s.done) ? <GettingStarted steps={steps} canWrite={writable} /> : null}
          <Card>
            <CardHeader className="flex flex-row items-start justify-between gap-4">
              <div className="grid gap-1">
                <CardTitle>Pull activity</CardTitle>
                <CardDescription>
                  Pulls per day by outcome, last 14 days. Denied counts refusals by the license only; not found and upstream errors are shown apart.
                </CardDescription>
              </div>
              <Link className="shrink-0 text-sm font-medium text-zinc-900 underline-offset-4 hover:underline" href="/pulls">
                View pulls
              </Link>
            </CardHeader>
            <CardContent className="grid gap-4">
              <PullTotalsRow totals={totals} />
              <PullActivityChart data={activity} />
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Latest pulls</CardTitle>
              <CardDescription>The most recent pulls through the proxy, with what happened to each.</CardDescription>
            </CardHeader>
            <CardContent className="p-0">
              {recentPulls.length === 0 ? (
                <EmptyState icon={Activity} title="No pulls yet" className="m-5">
                  When a customer pulls an image through Pullgate, the request shows up here. Send a customer their install instructions from the customer&apos;s page.
                </EmptyState>
              ) : (
                <PullsTable pulls={recentPulls} />
              )}
            </CardContent>
          </Card>
        </div>
      )}
    </>
  );
}
