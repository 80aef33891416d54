import { apiHandler } from "@/lib/api/api-handler";
import { getCustomerPullSecret } from "@/lib/customers/get-customer-pull-secret";
import { pullSecretQuerySchema } from "@/lib/customers/schemas";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({ query: pullSecretQuerySchema }, async ({ actor, params, query }) => {
  const secret = await getCustomerPullSecret(actor, params.id!, { namespace: query.namespace });
  return { dockerconfigjson: secret.dockerconfigjson, secretYaml: secret.secretYaml };
});

export const { POST, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET"]);
