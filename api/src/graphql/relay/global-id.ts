import { badInput } from '../../errors.ts';

/** Node types with an opaque global ID. Their order is irrelevant; the names are part of every ID. */
export type NodeTypeName = 'Region' | 'Village' | 'MonthlyStatement' | 'Voucher';

/** "Village:12" → base64url. Opaque to clients: they may store it, never parse it. */
export function toGlobalId(type: NodeTypeName, ...parts: (string | number)[]): string {
  return Buffer.from([type, ...parts].join(':'), 'utf8').toString('base64url');
}

export function fromGlobalId(id: string): { type: string; parts: string[] } {
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  const [type, ...parts] = decoded.split(':');
  if (!type || parts.length === 0 || parts.some((p) => !/^[0-9A-Za-z_-]+$/.test(p))) {
    throw badInput('ID 无效', 'id');
  }
  return { type, parts };
}

/** Integer parts of a decoded ID, or undefined if any part is not a safe non-negative integer. */
export function integerParts(parts: string[]): number[] | undefined {
  const numbers = parts.map((p) => (/^[0-9]{1,15}$/.test(p) ? Number(p) : NaN));
  return numbers.some(Number.isNaN) ? undefined : numbers;
}
