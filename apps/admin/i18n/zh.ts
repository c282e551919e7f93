// Simplified Chinese. Each message module types its `zh` object to have exactly
// the keys of its `en`, so a missing or extra key fails the build.
import { dictionaries } from './dictionaries';
import type { Messages } from './en';

export const zh: Messages = dictionaries.zh;
