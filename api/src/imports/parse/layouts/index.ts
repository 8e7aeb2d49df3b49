import type { Layout } from '../headers.ts';
import { cashbookLayout } from './cashbook.ts';
import { kingdeeLayout } from './kingdee.ts';
import { mingbaiLayout } from './mingbai.ts';
import { yonyouLayout } from './yonyou.ts';

/** In order of preference when two layouts recognise as many columns of a header (ours first). */
export const LAYOUTS: readonly Layout[] = [mingbaiLayout, cashbookLayout, yonyouLayout, kingdeeLayout];
