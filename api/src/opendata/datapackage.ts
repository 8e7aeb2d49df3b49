import {
  FLAG_FIELDS,
  FLAG_PRIMARY_KEY,
  LINE_FIELDS,
  LINE_PRIMARY_KEY,
  STATEMENT_FIELDS,
  STATEMENT_PRIMARY_KEY,
  type FieldDef,
} from './export-sql.ts';
import { ATTACHMENT_FIELDS, DIGEST_INPUT_FIELDS } from './digest-inputs.ts';
import type { FileMeta, OpenDataFile, ResolvedScope } from './opendata.service.ts';

/**
 * CC-BY-4.0: it is one of the licences the Open Definition lists as conformant and the one most Chinese public-data
 * platforms' reuse terms resemble (free reuse, commercial included, with attribution). Attribution keeps the source
 * and its digest chain visible wherever the data is mirrored, which is the point of publishing it.
 */
export const OPEN_DATA_LICENSE = {
  name: 'CC-BY-4.0',
  title: 'Creative Commons Attribution 4.0 International（署名 4.0 国际）',
  path: 'https://creativecommons.org/licenses/by/4.0/',
};

export const MEDIA_TYPES: Record<OpenDataFile, string> = {
  'lines.csv': 'text/csv',
  'lines.jsonl': 'application/jsonl',
  'statements.csv': 'text/csv',
  'flags.csv': 'text/csv',
  'digests.jsonl': 'application/jsonl',
  'attachments.csv': 'text/csv',
};

/** A schema for the files written in JS (digest-inputs.ts): name, type, description. */
function plainSchema(fields: readonly (readonly [string, string, string])[], primaryKey: string[]) {
  return {
    fields: fields.map(([name, type, description]) => ({ name, type, description })),
    primaryKey,
    missingValues: [''],
  };
}

function tableSchema(fields: readonly FieldDef[], primaryKey: string[], json: boolean) {
  return {
    fields: fields.map((f) => ({
      name: f.name,
      type: json && f.jsonType ? f.jsonType : f.type,
      title: f.title,
      description:
        f.type === 'string' && !json
          ? `${f.description}. A cell starting with = + - @ is prefixed with ' so spreadsheets never run it`
          : f.description,
      ...(f.enum ? { constraints: { enum: f.enum } } : {}),
    })),
    primaryKey,
    missingValues: [''],
  };
}

/** A Frictionless (Tabular) Data Package describing the three files of one scope, with their size and SHA-256. */
export function dataPackage(
  scope: ResolvedScope,
  files: { file: OpenDataFile; path: string; meta: FileMeta }[],
  sources: { title: string; path: string }[],
): object {
  const { year, month } = scope.selection;
  return {
    profile: 'tabular-data-package',
    name: `mingbai-${scope.name}`,
    title: scope.title,
    description:
      '村级集体经济组织已公开的记账凭证，逐笔逐项。个人姓名、证件号、电话、银行账号已按规则遮盖。' +
      ' Published vouchers of village collectives, line by line; personal data masked.',
    licenses: [OPEN_DATA_LICENSE],
    sources,
    keywords: ['村务公开', '财务公开', 'village finance', 'open data'],
    temporal: { year, month },
    resources: files.map(({ file, path, meta }) => {
      const json = file.endsWith('.jsonl');
      return {
        name: file.replace('.', '-'),
        path,
        profile: 'tabular-data-resource',
        format: json ? 'jsonl' : 'csv',
        mediatype: MEDIA_TYPES[file],
        encoding: 'utf-8',
        bytes: meta.bytes,
        hash: `sha256:${meta.sha256}`,
        ...(json
          ? {}
          : { dialect: { delimiter: ',', quoteChar: '"', doubleQuote: true, header: true, lineTerminator: '\n' } }),
        schema:
          file === 'digests.jsonl'
            ? plainSchema(DIGEST_INPUT_FIELDS, STATEMENT_PRIMARY_KEY)
            : file === 'attachments.csv'
              ? plainSchema(ATTACHMENT_FIELDS, [...STATEMENT_PRIMARY_KEY, 'voucher_number', 'sha256'])
              : file === 'statements.csv'
                ? tableSchema(STATEMENT_FIELDS, STATEMENT_PRIMARY_KEY, false)
                : file === 'flags.csv'
                  ? tableSchema(FLAG_FIELDS, FLAG_PRIMARY_KEY, false)
                  : tableSchema(LINE_FIELDS, LINE_PRIMARY_KEY, json),
      };
    }),
    // The digest chain: each published revision's SHA-256 covers its public vouchers, its review and attachments and
    // the village's previous digest, in the canonical text its format names (docs/DIGEST.md, /docs/digest on the
    // portal); every input is in these files (digests.jsonl, lines.jsonl, attachments.csv), so anyone can recompute
    // it (`pnpm verify`, docs/verify.py). One village month names its format; a bigger scope per row.
    mingbai: {
      digestFormat: scope.village ? scope.village.digestFormat : 'statements.csv#digest_format',
      digestSpec: '/docs/digest',
      villages: scope.selection.periods.length,
      lines: scope.selection.periods.reduce((n, p) => n + p.lineCount, 0),
      chain: scope.village
        ? [
            {
              villageCode: scope.village.code,
              revision: scope.village.revision,
              digest: scope.selection.periods[0]!.digest,
              previousDigest: scope.village.previousDigest,
              chainSeq: scope.village.chainSeq,
              publishedAt: scope.village.publishedAt,
            },
          ]
        : 'statements.csv',
    },
  };
}
