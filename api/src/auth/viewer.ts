import type { UserRole } from '@mingbai/db/schema/users';
import { apiError } from '../errors.ts';
import type { RequestLimits } from '../limits/request-limits.ts';

/** The signed-in person behind a request, with every role they hold and where. */
export interface Viewer {
  userId: number;
  username: string;
  displayName: string;
  roles: { role: UserRole; villageId: number | null; regionId: number | null }[];
}

/** What a committee action needs. Each action names the roles that may take it on a village. */
export type VillageAction =
  | 'import' // upload a ledger file into an open month
  | 'submit' // hand an open month to the supervisors
  | 'withdraw' // take a submitted month back to open
  | 'publish' // make a submitted month public
  | 'revise' // open a correction of a published month
  | 'comment' // comment on a month under review
  | 'flag' // flag a voucher as doubtful
  | 'approve' // approve a submitted month, or send it back with reasons (a supervisor assigned to the village)
  | 'answer' // answer a red flag in writing (the committee)
  | 'review' // read months that are not yet public
  | 'manage_users' // create the village's committee accounts and reset their passwords
  | 'answer_question' // answer a villager's question in public (the committee)
  | 'hide_question' // hide a question that is abuse or holds private data, with a public reason (a supervisor)
  | 'read_questions' // read the questions as asked, with the askers' contacts masked
  | 'preview_attachments'; // see an attachment's redacted view before the month is public (never the original)

const ALLOWED: Record<VillageAction, readonly UserRole[]> = {
  import: ['accountant', 'director'],
  submit: ['accountant', 'director'],
  withdraw: ['accountant', 'director'],
  publish: ['director'],
  revise: ['director'],
  comment: ['accountant', 'director', 'supervisor'],
  flag: ['supervisor'],
  approve: ['supervisor'],
  answer: ['accountant', 'director'],
  review: ['accountant', 'director', 'supervisor', 'township_admin'],
  manage_users: ['township_admin'],
  answer_question: ['accountant', 'director'],
  hide_question: ['supervisor'],
  read_questions: ['accountant', 'director', 'supervisor'],
  preview_attachments: ['accountant', 'director', 'supervisor'],
};

/** The role the viewer holds that allows the action on the village (the first of the action's roles they hold). */
export function roleFor(
  viewer: Viewer,
  action: VillageAction,
  villageId: number,
  regionsOfVillage: number[],
): UserRole | undefined {
  return ALLOWED[action].find((role) =>
    viewer.roles.some(
      (r) =>
        r.role === role &&
        (r.villageId === villageId || (r.regionId !== null && regionsOfVillage.includes(r.regionId))),
    ),
  );
}

/**
 * Whether the viewer may take the action on the village. `regionsOfVillage` lists the village's town, district and
 * city, for township admins whose role is held over a region.
 */
export function mayAct(viewer: Viewer, action: VillageAction, villageId: number, regionsOfVillage: number[]): boolean {
  return viewer.roles.some(
    (r) =>
      ALLOWED[action].includes(r.role) &&
      (r.villageId === villageId || (r.regionId !== null && regionsOfVillage.includes(r.regionId))),
  );
}

/** What a region-wide action needs: a township admin over the region or a region above it. */
export type RegionAction =
  | 'set_rules' // set a new version of the red-flag thresholds of a district or town
  | 'town_review' // see every village month of the region under review
  | 'set_question_due_days'; // set the days a district's or town's committees have to answer villagers' questions

const REGION_ALLOWED: Record<RegionAction, readonly UserRole[]> = {
  set_rules: ['township_admin'],
  town_review: ['township_admin'],
  set_question_due_days: ['township_admin'],
};

/** Whether the viewer may take the action on a region; `regionChain` is the region and every region above it. */
export function mayActOnRegion(viewer: Viewer, action: RegionAction, regionChain: number[]): boolean {
  return viewer.roles.some(
    (r) => REGION_ALLOWED[action].includes(r.role) && r.regionId !== null && regionChain.includes(r.regionId),
  );
}

/**
 * API keys are for reading. A request that presents one is refused every mutation and every private query, even
 * signing in: a leaked key must never become a way to write.
 */
export function refuseApiKey(limits: RequestLimits | undefined): void {
  if (isApiKey(limits)) throw apiKeyRefusal();
}

/** Whether the request presented an API key. */
export function isApiKey(limits: RequestLimits | undefined): boolean {
  return limits?.client.key.startsWith('key:') ?? false;
}

export function apiKeyRefusal(): Error {
  return apiError('FORBIDDEN', 'API 密钥只能读取公开数据，不能修改或查看未公开的账目', {
    reason: 'API_KEY_READ_ONLY',
  });
}

/** Where a request comes from, for throttling sign-ins: the client's address, or its user or key. */
export function requestSource(limits: RequestLimits | undefined): string | undefined {
  return limits?.client.key;
}
