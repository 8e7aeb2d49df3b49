// A progress line for long commands at a terminal (`pnpm cli import`, `pnpm bench:data`): rows read, rate, time left,
// rewritten in place on stderr. Only when stderr is a terminal: piped into a file or a CI log it writes nothing, so logs
// and the JSON on stdout stay exactly what they were.

/** What the progress line writes to: process.stderr, or a stand-in in tests. */
export interface ProgressStream {
  isTTY?: boolean | undefined;
  columns?: number | undefined;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** What is counted, e.g. 行. */
  unit: string;
  /** Milliseconds between redraws. */
  intervalMs?: number | undefined;
  /** The clock, for tests. */
  now?: (() => number) | undefined;
  /** Running under CI (default: the CI variable is set): nothing drawn, even when the runner gives a terminal. */
  ci?: boolean | undefined;
}

export interface Progress {
  /** Whether anything is drawn at all (stderr is a terminal). */
  readonly active: boolean;
  /**
   * `label` names the step that runs; `done` counts the unit so far in it (undefined: nothing to count, e.g. while
   * the database writes); `fraction` (0–1) of the step when known, for the time left. Rate and time left are measured
   * from the start of the step; `note` is added as it is (e.g. 120/301 个村). Redraws at most every `intervalMs`, and once a second on its own while a step runs.
   */
  update(label: string, done?: number, fraction?: number, note?: string): void;
  /** Clears the line for a moment (before another line is printed); the next update or tick draws it again. */
  clear(): void;
  /** Clears the line and stops, leaving the terminal as it was. */
  end(): void;
}

/** 75 → "1分15秒", 3700 → "1小时1分": short, for a line that redraws. */
export function durationText(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}秒`;
  if (s < 3600) return `${Math.floor(s / 60)}分${s % 60 > 0 ? `${s % 60}秒` : ''}`;
  return `${Math.floor(s / 3600)}小时${Math.floor((s % 3600) / 60)}分`;
}

/**
 * The line itself: "读取 12,345 行 · 8,200 行/秒 · 45% · 约剩 2秒". The time left is the time so far scaled by what is
 * left of `fraction`, shown once there is a second of history; without a fraction the line says the time spent.
 */
export function progressText(p: {
  label: string;
  unit: string;
  done?: number | undefined;
  elapsedMs: number;
  fraction?: number | undefined;
  note?: string | undefined;
}): string {
  const seconds = p.elapsedMs / 1000;
  const parts = [p.done === undefined ? p.label : `${p.label} ${grouped(p.done)} ${p.unit}`];
  if (p.note) parts.push(p.note);
  if (p.done !== undefined && seconds >= 0.5) parts.push(`${grouped(p.done / seconds)} ${p.unit}/秒`);
  if (p.fraction !== undefined && p.fraction > 0) {
    const f = Math.min(1, p.fraction);
    parts.push(`${Math.floor(f * 100)}%`);
    if (seconds >= 1 && f < 1) parts.push(`约剩 ${durationText((seconds * (1 - f)) / f)}`);
  } else if (seconds >= 1) {
    parts.push(`已用 ${durationText(seconds)}`);
  }
  return parts.join(' · ');
}

const grouped = (n: number) => Math.round(n).toLocaleString('en');

/** Columns a text takes at a terminal: CJK characters and full-width punctuation take two. */
function widthOf(text: string): number {
  let w = 0;
  for (const ch of text)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch)
      ? 2
      : 1;
  return w;
}

/** The text cut to `width` columns. */
export function fit(text: string, width: number): string {
  if (widthOf(text) <= width) return text;
  let out = '';
  for (const ch of text) {
    if (widthOf(out + ch) > width) break;
    out += ch;
  }
  return out;
}

/** A progress line on `stream` (default stderr); inert unless the stream is a terminal. */
export function createProgress(options: ProgressOptions, stream: ProgressStream = process.stderr): Progress {
  const now = options.now ?? (() => performance.now());
  const interval = options.intervalMs ?? 250;
  const ci = options.ci ?? Boolean(process.env.CI);
  if (!stream.isTTY || ci) return { active: false, update() {}, clear() {}, end() {} };
  let stepStarted = now();
  let lastDraw = -Infinity;
  let drawn = false;
  let state:
    { label: string; done?: number | undefined; fraction?: number | undefined; note?: string | undefined } | undefined;
  const draw = () => {
    if (!state) return;
    const t = now();
    lastDraw = t;
    const text = progressText({ ...state, unit: options.unit, elapsedMs: t - stepStarted });
    // One line only: a line wider than the terminal wraps and \r would no longer return to its start.
    // A pseudo-terminal without a size says 0 columns: take the usual 80 then.
    stream.write(`\r${fit(text, Math.max(20, (stream.columns || 80) - 1))}\x1b[K`);
    drawn = true;
  };
  // A step may go quiet for a while (the database writing): the line keeps its clock moving.
  let timer: ReturnType<typeof setInterval> | undefined;
  return {
    active: true,
    update(label, done, fraction, note) {
      const relabelled = label !== state?.label;
      if (relabelled) stepStarted = now();
      state = { label, done, fraction, note };
      if (!timer && options.now === undefined) {
        timer = setInterval(draw, 1000);
        timer.unref();
      }
      if (relabelled || now() - lastDraw >= interval) draw();
    },
    clear() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
    end() {
      if (timer) clearInterval(timer);
      timer = undefined;
      state = undefined;
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
