import { apiHandler } from "@/lib/api/api-handler";
import { getCustomerPullSecret } from "@/lib/customers/get-customer-pull-secret";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({}, async ({ actor, params }) => {
  const secret = await getCustomerPullSecret(actor, params.id!);
  return { dockerconfigjson: secret.dockerconfigjson, secretYaml: secret.secretYaml };
});

export const { POST, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET"]);
