import { apiHandler } from "@/lib/api/api-handler";
import { otherMethodsNotAllowed } from "@/lib/api/method-not-allowed";
import { listMembers } from "@/lib/members/list-members";
import { toMemberDto } from "@/lib/members/member-dto";

export const GET = apiHandler({}, async ({ actor }) => ({ members: (await listMembers(actor)).map(toMemberDto) }));

export const { POST, PUT, PATCH, DELETE } = otherMethodsNotAllowed(["GET"]);
