import { apiHandler } from "@/lib/api/api-handler";
import { jsonObjectBody } from "@/lib/api/json-body";
import { testSavedRegistry } from "@/lib/registries/test-saved-registry";
import type { TestRegistryInput } from "@/lib/registries/schemas";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

// A failed test is still a successful request: 200 with ok:false and the sentence.
export const POST = apiHandler({ body: jsonObjectBody }, async ({ actor, params, body }) =>
  testSavedRegistry(actor, params.id!, body as TestRegistryInput),
);

export const { GET, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["POST"]);
