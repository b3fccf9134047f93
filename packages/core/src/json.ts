/** A JSON value, as a pod or a Kubernetes object arrives on the wire. */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | JsonObject
/** A JSON object. */
export interface JsonObject {
  readonly [key: string]: Json
}

/** Whether a value is a JSON object (not null, not an array). */
export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Whether a value is an array (readonly-aware). */
export const isJsonArray = (value: unknown): value is ReadonlyArray<Json> => Array.isArray(value)

const sortKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([k, v]) => [k, sortKeys(v)]))
  }
  return value
}

/** A canonical JSON text (sorted keys): two values are equal as data exactly when these are equal. */
export const canonicalJson = (value: unknown): string => JSON.stringify(sortKeys(value))

/** Appends the items not already present (by canonical JSON), keeping order. */
export const appendDistinct = <A>(existing: ReadonlyArray<A>, added: ReadonlyArray<A>): ReadonlyArray<A> => {
  const seen = new Set(existing.map(canonicalJson))
  const result = [...existing]
  for (const item of added) {
    const key = canonicalJson(item)
    if (!seen.has(key)) {
      seen.add(key)
      result.push(item)
    }
  }
  return result
}
