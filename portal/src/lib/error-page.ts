/**
 * The error page's sentence: the message, then "请稍后再试。" unless the message says it already (the API's and the
 * portal's "temporarily unavailable" messages end with it), each sentence closed by a full stop once.
 */
export function errorSentence(message: string): string {
  const trimmed = message.trim().replace(/[。．.！!]+$/u, '');
  if (trimmed === '') return '请稍后再试。';
  return /请稍后(再)?(重)?试$/u.test(trimmed) ? `${trimmed}。` : `${trimmed}。请稍后再试。`;
}
