// English, the reference dictionary: its keys define MessageKey, and every
// other locale must translate all of them. The strings themselves live in
// per-feature modules (messages/*.ts), merged in dictionaries.ts.
import { dictionaries } from './dictionaries';

export const en = dictionaries.en;

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;
