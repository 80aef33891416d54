import type { Command } from "commander";
import { parse } from "yaml";
import { withApi } from "@/cli/remote/context";
import { examples } from "@/cli/remote/help";
import { enc } from "@/cli/remote/commands/customers";

export function registerPullSecret(program: Command): void {
  examples(
    program
      .command("pull-secret")
      .description("Print a customer's image pull secret: the .dockerconfigjson, or with --k8s a Kubernetes Secret")
      .argument("<customer id>", "customer ID")
      .option("--k8s", "a Kubernetes Secret (type kubernetes.io/dockerconfigjson) instead of the .dockerconfigjson")
      .option("--namespace <ns>", "the Secret's namespace (with --k8s)"),
    "pullgate pull-secret cm1abc > config.json",
    "pullgate pull-secret cm1abc --k8s --namespace acme | kubectl apply -f -",
  ).action((customer: string, opts: { k8s?: boolean; namespace?: string }, cmd: Command) =>
    withApi(cmd, async ({ api, print }) => {
      if (opts.namespace !== undefined && !opts.k8s) cmd.error("error: --namespace goes with --k8s", { exitCode: 2, code: "pullgate.usage" });
      const secret = await api.get<{ dockerconfigjson: string; secretYaml: string }>(`/api/v1/customers/${enc(customer)}/pull-secret`, {
        namespace: opts.namespace,
      });
      if (opts.k8s) print.text(secret.secretYaml, parse(secret.secretYaml));
      else print.text(secret.dockerconfigjson, JSON.parse(secret.dockerconfigjson));
    }),
  );
}
