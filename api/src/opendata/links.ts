/** The public URL scheme of the bulk files, the same on the API server and the portal (which proxies /data/*). */
export const yearMonth = (year: number, month: number) => `${year}-${String(month).padStart(2, '0')}`;

export function villageMonthPath(slug: string, year: number, month: number, revision?: number): string {
  return `/data/v/${slug}/${yearMonth(year, month)}${revision === undefined ? '' : `/r${revision}`}`;
}

export function nationalMonthPath(year: number, month: number): string {
  return `/data/months/${yearMonth(year, month)}`;
}

export function regionMonthPath(slug: string, year: number, month: number): string {
  return `/data/r/${slug}/${yearMonth(year, month)}`;
}

export const CATALOG_PATH = '/data/catalog.json';

export interface FileLinks {
  csv: string;
  jsonl: string;
  statementsCsv: string;
  flagsCsv: string;
  datapackage: string;
}

export function fileLinks(base: string): FileLinks {
  return {
    csv: `${base}/lines.csv`,
    jsonl: `${base}/lines.jsonl`,
    statementsCsv: `${base}/statements.csv`,
    flagsCsv: `${base}/flags.csv`,
    datapackage: `${base}/datapackage.json`,
  };
}
