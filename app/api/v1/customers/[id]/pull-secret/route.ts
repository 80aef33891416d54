import { apiHandler } from "@/lib/api/api-handler";
import { getCustomerPullSecret } from "@/lib/customers/get-customer-pull-secret";

export const GET = apiHandler({}, async ({ actor, params }) => {
  const secret = await getCustomerPullSecret(actor, params.id!);
  return { dockerconfigjson: secret.dockerconfigjson, secretYaml: secret.secretYaml };
});
