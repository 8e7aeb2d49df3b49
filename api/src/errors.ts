import { GraphQLError } from 'graphql';
import { LedgerError } from '@mingbai/db/ledger/errors';

/**
 * Every code the API sends in `errors[].extensions.code`, in one list: stable codes third parties can branch on (the
 * message is for people, in Chinese). The docs' table (portal/src/lib/docs/errors.ts) documents each, and
 * tests/http/error-codes.test.ts fails when a code used in api/src is missing here. The ledger's own codes
 * (db/src/ledger/errors.ts) join them in `ApiErrorCode`.
 */
export const API_ERROR_CODES = [
  // The request itself: Apollo Server's own codes, then the HTTP layer's (api/src/http/).
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_HASH_MISMATCH',
  'PERSISTED_QUERY_UNSUPPORTED_VERSION',
  'BAD_REQUEST',
  'BAD_USER_INPUT',
  'METHOD_NOT_ALLOWED',
  'PAYLOAD_TOO_LARGE',
  'NOT_FOUND',
  'INTERNAL_SERVER_ERROR',
  'DATABASE_UNAVAILABLE',
  'QUERY_TIMEOUT',
  // Limits (api/src/limits/).
  'QUERY_TOO_COSTLY',
  'QUERY_TOO_DEEP',
  'TOO_MANY_ALIASES',
  'TOO_MANY_DIRECTIVES',
  'TOO_MANY_FIELDS',
  'TOO_MANY_TOKENS',
  'RATE_LIMITED',
  'IMPORT_BUSY',
  // Who may do what (api/src/auth/).
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'INVALID_API_KEY',
  'LOGIN_FAILED',
  'LOGIN_THROTTLED',
  'USER_EXISTS',
  'SECOND_ADMIN_REQUIRED',
  // The committee's workflow (api/src/committee/).
  'PERIOD_NOT_SUBMITTED',
  'UPLOADER_CANNOT_PUBLISH',
  // Attachments (api/src/attachments/): the image workers' queue is full.
  'ATTACHMENT_BUSY',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number] | LedgerError['code'];

const KNOWN_CODES: ReadonlySet<string> = new Set(API_ERROR_CODES);

/** What the public sees of a failure of ours; the details go to the log. */
export const INTERNAL_MESSAGE = '服务器内部错误，请稍后再试';

/** What the public sees while the database cannot be reached (a restart, a failover): try again shortly. */
export const DATABASE_UNAVAILABLE_MESSAGE = '数据库暂时无法连接，请稍后再试';

export function apiError(code: ApiErrorCode, message: string, details: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...details } });
}

export function badInput(message: string, argument: string): GraphQLError {
  return apiError('BAD_USER_INPUT', message, { argument });
}

/**
 * Ledger rule violations and errors that carry one of our codes keep it; anything unexpected is hidden behind a
 * generic message (the caller logs it). The GraphQL edge (graphql/execution/format-error.ts) and the CLI both use it.
 */
export function toGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if (error instanceof LedgerError) return apiError(error.code, error.message, error.details);
  const code = ownCode(error);
  if (code) return apiError(code, (error as Error).message);
  // SQLSTATE class 22 (data exception: a value out of range, a NUL byte, a bad date) is the client's input that slipped
  // past validation; it is refused like any bad input rather than reported as our failure.
  if (sqlState(error)?.startsWith('22')) {
    return apiError('BAD_USER_INPUT', '输入的值无法接受（超出范围、格式不对或含有不允许的字符）');
  }
  return apiError('INTERNAL_SERVER_ERROR', INTERNAL_MESSAGE);
}

/** One of our codes on a plain Error (`Object.assign(new Error(…), { code: 'NOT_FOUND' })`), never a driver's code. */
function ownCode(error: unknown): ApiErrorCode | undefined {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR' && KNOWN_CODES.has(code)
    ? (code as ApiErrorCode)
    : undefined;
}

/** The PostgreSQL error code of an error or of its cause (drizzle wraps the driver's error). */
function sqlState(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}
