// The shape of every error leaving execution, in one place. graphql-jit's errors can lack `extensions` (the two
// executors disagree there); standardError gives them graphql-js's shape as they leave the executor, before Apollo
// Server reads `extensions.code`. formatError then sees one shape whichever executor ran, and decides what the
// public reads: a code and a Chinese message, never an internal detail.
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isCancelledWork, isDatabaseUnavailable } from '@mingbai/db/client';
import { inChinese, persistedQueryCode } from '../../error-messages.ts';
import { DATABASE_UNAVAILABLE_MESSAGE, INTERNAL_MESSAGE, toGraphQLError, type ApiErrorCode } from '../../errors.ts';

/**
 * graphql-jit's errors leave `extensions` undefined when the resolver's error had none (a database error, a null in
 * a non-null field); Apollo's error formatting reads `extensions.code` and would fail over it.
 */
export function standardError(error: GraphQLError): GraphQLError {
  if (error.extensions) return error;
  const standard = new GraphQLError(error.message, {
    path: error.path,
    originalError: error.originalError ?? undefined,
  });
  // Locations come computed from the document; graphql-js would compute the same from the field's node.
  (standard as { locations: GraphQLError['locations'] }).locations = error.locations;
  return standard;
}

const DATABASE_UNAVAILABLE: ApiErrorCode = 'DATABASE_UNAVAILABLE';

/** Resolver errors become coded errors; anything unexpected is logged here and shown only as a generic message. */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const apqCode = persistedQueryCode(formatted.message);
  if (apqCode) return inChinese({ message: formatted.message, extensions: { code: apqCode } });
  if (formatted.extensions?.code && formatted.extensions.code !== 'INTERNAL_SERVER_ERROR') return inChinese(formatted);
  if (isDatabaseUnavailable(original)) {
    return { message: DATABASE_UNAVAILABLE_MESSAGE, path: formatted.path, extensions: { code: DATABASE_UNAVAILABLE } };
  }
  const coded = toGraphQLError(original);
  // A GraphQLError of graphql-js's own (a null in a non-null field) carries no code.
  const code = coded.extensions.code ?? 'INTERNAL_SERVER_ERROR';
  if (code === 'INTERNAL_SERVER_ERROR') {
    // A timed-out request's later statements are refused on purpose; its answer is long gone.
    if (!isCancelledWork(original)) console.error('unexpected error', original);
    return { message: INTERNAL_MESSAGE, path: formatted.path, extensions: { code } };
  }
  return { message: coded.message, path: formatted.path, locations: formatted.locations, extensions: coded.extensions };
}
