// The API process's V8 heap cap in MB, as `pnpm start` runs it (scripts/start.ts) and the bench starts it
// (bench/suite/procs.ts), so the bench measures what is deployed. MINGBAI_API_HEAP_MB overrides it for both.
export const API_HEAP_MB = 256;
