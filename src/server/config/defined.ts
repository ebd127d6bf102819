/**
 * The entries of `values` that are set: spread into an options object whose fields are optional
 * (under exactOptionalPropertyTypes an absent field and `undefined` differ), so a composition
 * passes on only what it was given and each part keeps its own defaults.
 */
export function defined<T extends object>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
