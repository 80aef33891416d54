import { apiHandler } from "@/lib/api/api-handler";
import { getCustomerLicenseFile, licenseFileResponse } from "@/lib/customers/get-customer-license-file";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = apiHandler({}, async ({ actor, params }) => licenseFileResponse(await getCustomerLicenseFile(actor, params.id!)));

export const { POST, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET"]);
