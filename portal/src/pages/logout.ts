import type { APIRoute } from 'astro';
import { formOf } from '../lib/request-body';
import { graphqlAs } from '../lib/api';
import { csrfOk, endSession, sessionToken } from '../lib/session';

export const POST: APIRoute = async ({ request, cookies, url, redirect, locals }) => {
  const form = await formOf(request, locals.body);
  if (!csrfOk(request, cookies, url, form)) return new Response('页面已过期，请刷新后重试', { status: 403 });
  const token = sessionToken(cookies);
  if (token) await graphqlAs(token, `mutation ($t: String!) { logout(token: $t) }`, { t: token });
  endSession(cookies, url);
  return redirect('/', 303);
};
