// Per-feature message modules: each feature keeps its strings, English and Chinese
// side by side, in its own file under i18n/messages/, so engineers adding strings
// to different features never edit the same lines. en.ts merges them.

/** A key's namespace is the text before its first dot: `groups.title` → `groups`. */
type Namespaced<N extends string> = `${N}.${string}`;

export interface MessageModule<E extends Record<string, string> = Record<string, string>> {
  namespaces: readonly string[];
  en: E;
  zh: { [K in keyof E]: string };
}

/**
 * Declares a feature's strings. Every key must start with one of `namespaces`
 * (so two modules cannot collide), and `zh` must translate exactly the keys of
 * `en`: a missing or extra key fails type-checking.
 */
export function defineMessages<const N extends string, const E extends Record<string, string>>(
  namespaces: N | readonly N[],
  messages: {
    // A key outside the namespaces must be `never`, which no string is: a type error on that key.
    en: E & Record<Exclude<keyof E, Namespaced<NoInfer<N>>>, never>;
    zh: { [K in keyof NoInfer<E>]: string };
  },
): MessageModule<E> {
  return { namespaces: typeof namespaces === 'string' ? [namespaces] : namespaces, ...messages };
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

export type MergedMessages<M extends readonly MessageModule[]> = UnionToIntersection<M[number]['en']>;

/**
 * Joins the modules into one dictionary per locale. Two modules that claim the
 * same namespace would silently override each other's keys, so that throws (at
 * build time, when Next.js first evaluates the dictionaries).
 */
export function mergeMessages<const M extends readonly MessageModule[]>(
  modules: M,
): { en: MergedMessages<M>; zh: MergedMessages<M> } {
  const owners = new Map<string, number>();
  modules.forEach((module, index) => {
    for (const namespace of module.namespaces) {
      if (owners.has(namespace)) throw new Error(`i18n: two message modules claim the namespace "${namespace}"`);
      owners.set(namespace, index);
    }
  });
  const en = Object.assign({}, ...modules.map((module) => module.en));
  const zh = Object.assign({}, ...modules.map((module) => module.zh));
  return { en, zh };
}
