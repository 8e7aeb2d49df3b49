/** The portal is a client of the public GraphQL API like any other. */
const API_URL = process.env.MINGBAI_API_URL ?? `http://127.0.0.1:${process.env.API_PORT ?? '4000'}/graphql`;

export class ApiError extends Error {}

export async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(API_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new ApiError(body.errors.map((e) => e.message).join('；'));
  if (!body.data) throw new ApiError(`接口没有返回数据（HTTP ${response.status}）`);
  return body.data;
}
