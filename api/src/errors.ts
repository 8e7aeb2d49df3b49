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
  | 'USER_EXISTS'
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
  | LedgerError['code'];

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
  return apiError('INTERNAL_SERVER_ERROR', '服务器内部错误，请稍后再试');
}
