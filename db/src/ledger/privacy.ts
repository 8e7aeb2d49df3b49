/**
 * What the public may see of a natural person (DESIGN.md, Privacy): 张*, 张*静, ID 前6 + ******** + 后4,
 * phone 138****1234, card 前4 ****后4. Masking happens when a voucher is written, so public reads and searches
 * only ever touch masked text.
 */

/** 张三 → 张*; 张三丰 → 张*丰; 欧阳娜娜 → 欧**娜. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.length === 0 ? '' : '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/** 120111198001011234 → 120111********1234 (15-digit IDs keep the same head and tail). */
export function maskIdNumber(id: string): string {
  const s = id.trim();
  if (s.length <= 10) return '*'.repeat(s.length);
  return `${s.slice(0, 6)}${'*'.repeat(s.length - 10)}${s.slice(-4)}`;
}

/** 13812341234 → 138****1234. */
export function maskPhone(phone: string): string {
  const s = phone.trim();
  if (s.length <= 7) return '*'.repeat(s.length);
  return `${s.slice(0, 3)}${'*'.repeat(s.length - 7)}${s.slice(-4)}`;
}

/** 6228480012345678901 → 6228 ****8901. */
export function maskBankAccount(account: string): string {
  const s = account.replace(/\s+/g, '');
  if (s.length <= 8) return '*'.repeat(s.length);
  return `${s.slice(0, 4)} ****${s.slice(-4)}`;
}

// Digit runs not part of a longer number: an 18-digit ID (last may be X), a 15-digit old ID, a mobile number,
// a 12–19 digit card. Dates (8 digits) and amounts are left alone.
const ID_18 = /(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])/g;
const ID_15 = /(?<![0-9])[1-9][0-9]{14}(?![0-9])/g;
const MOBILE = /(?<![0-9])1[3-9][0-9]{9}(?![0-9])/g;
const CARD = /(?<![0-9])[0-9]{12,19}(?![0-9])/g;

/**
 * Masks personal data in free text (摘要): every ID, phone or card-like number, and the full names of the persons
 * the village deals with (`knownNames`), which is the only reliable way to find a name inside Chinese text.
 * Build the masker once per batch: it compiles the names into one expression.
 */
export function createTextMasker(knownNames: Iterable<string> = []): (text: string) => string {
  const names = [...new Set([...knownNames].map((n) => n.trim()).filter((n) => n.length >= 2))];
  // Longest first, so 张三丰 is masked before a 张三 inside it could be.
  names.sort((a, b) => b.length - a.length);
  const nameRegex = names.length > 0 ? new RegExp(names.map(escapeRegExp).join('|'), 'g') : undefined;
  return (text) => {
    const out = text
      .replace(ID_18, maskIdNumber)
      .replace(ID_15, maskIdNumber)
      .replace(MOBILE, maskPhone)
      .replace(CARD, maskBankAccount);
    return nameRegex ? out.replace(nameRegex, maskName) : out;
  };
}

export function maskText(text: string, knownNames: Iterable<string> = []): string {
  return createTextMasker(knownNames)(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
