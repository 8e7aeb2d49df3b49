import { GraphQLError } from 'graphql';
import { LedgerError } from '@mingbai/db/ledger/errors';

/** Stable codes third parties can branch on; the message is for people, in Chinese. */
export type ApiErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'INTERNAL_SERVER_ERROR'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'LOGIN_FAILED'
  | 'LOGIN_THROTTLED'
  | 'USER_EXISTS'
  | 'SECOND_ADMIN_REQUIRED'
  | 'PERIOD_NOT_SUBMITTED'
  | 'UPLOADER_CANNOT_PUBLISH'
  | 'INVALID_API_KEY'
  | 'QUERY_TOO_COSTLY'
  | 'QUERY_TOO_DEEP'
  | 'TOO_MANY_ALIASES'
  | 'TOO_MANY_DIRECTIVES'
  | 'TOO_MANY_FIELDS'
  | 'TOO_MANY_TOKENS'
  | 'RATE_LIMITED'
  | 'IMPORT_BUSY'
  | 'METHOD_NOT_ALLOWED'
  | 'PERSISTED_QUERY_HASH_MISMATCH'
  | 'PERSISTED_QUERY_UNSUPPORTED_VERSION'
  | LedgerError['code'];

/** What the public sees of a failure of ours; the details go to the log. */
export const INTERNAL_MESSAGE = '服务器内部错误，请稍后再试';

export function apiError(code: ApiErrorCode, message: string, details: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...details } });
}

export function badInput(message: string, argument: string): GraphQLError {
  return apiError('BAD_USER_INPUT', message, { argument });
}

/** Ledger rule violations keep their own code; anything unexpected is logged and hidden behind a generic message. */
export function toGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if (error instanceof LedgerError) return apiError(error.code, error.message, error.details);
  // SQLSTATE class 22 (data exception: a value out of range, a NUL byte, a bad date) is the client's input that slipped
  // past validation; it is refused like any bad input rather than reported as our failure.
  if (sqlState(error)?.startsWith('22')) {
    return apiError('BAD_USER_INPUT', '输入的值无法接受（超出范围、格式不对或含有不允许的字符）');
  }
  return apiError('INTERNAL_SERVER_ERROR', INTERNAL_MESSAGE);
}

/** The PostgreSQL error code of an error or of its cause (drizzle wraps the driver's error). */
function sqlState(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}
