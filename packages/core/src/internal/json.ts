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

const serialise = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(serialise).join(",")}]`
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value).sort()
    let out = "{"
    for (const key of keys) {
      const item: unknown = Reflect.get(value, key)
      if (item === undefined) continue
      out += `${out.length > 1 ? "," : ""}${JSON.stringify(key)}:${serialise(item)}`
    }
    return `${out}}`
  }
  return JSON.stringify(value) ?? "null"
}

// Configuration values are immutable and compared on every spawn: serialise each object once.
const canonicalCache = new WeakMap<object, string>()

/** A canonical JSON text (sorted keys): two values are equal as data exactly when these are equal. */
export const canonicalJson = (value: unknown): string => {
  if (typeof value !== "object" || value === null) return serialise(value)
  const cached = canonicalCache.get(value)
  if (cached !== undefined) return cached
  const text = serialise(value)
  canonicalCache.set(value, text)
  return text
}

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
