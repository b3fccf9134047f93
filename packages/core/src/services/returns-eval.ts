import { JSONPath } from "jsonpath-plus"
import type { ServiceReady } from "../config/service.ts"
import { type Warning, warning } from "../errors/warning.ts"
import type { Json } from "../internal/json.ts"
import type { ServiceReturn } from "./returns.ts"

// Paths are written with or without the leading `$.` (SPEC 7); script evaluation is always off,
// and a path that would need it (or does not parse) is an error value, never an exception.
const matches = (path: string, json: Json): ReadonlyArray<unknown> | Error => {
  const full = path.startsWith("$") ? path : `$.${path}`
  try {
    const found: unknown = JSONPath({ path: full, json, eval: false, wrap: true })
    return Array.isArray(found) ? found : []
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e))
  }
}

const asText = (value: unknown): string => typeof value === "string" ? value : JSON.stringify(value) ?? ""

/** Whether a live object is ready (SPEC 7, `ready`): the first match of the path equals the value. */
export const isReady = (object: Json, ready: typeof ServiceReady.Type): boolean => {
  const found = matches(ready.path, object)
  const first = found instanceof Error ? undefined : found[0]
  return first !== undefined && asText(first) === asText(ready.equals)
}

/**
 * The environment variables a service returns (SPEC 7): each JSONPath evaluated on the objects as
 * the API server holds them; one match gives its value, several are comma-joined, none leaves the
 * variable out with a warning.
 */
export const serviceReturns = (service: string, returns: Readonly<Record<string, string>>, objects: ReadonlyArray<Json>): { readonly value: ServiceReturn; readonly warnings: ReadonlyArray<Warning> } => {
  const env: Array<{ name: string; value: string }> = []
  const warnings: Array<Warning> = []
  for (const [name, path] of Object.entries(returns)) {
    const each = objects.map((object) => matches(path, object))
    const failed = each.find((m) => m instanceof Error)
    if (failed instanceof Error) {
      warnings.push(warning(`service ${service}`, `return ${name}: ${path} cannot be evaluated (${failed.message}); the variable is not set`))
      continue
    }
    const found = each.flatMap((m) => m instanceof Error ? [] : m)
    if (found.length === 0) warnings.push(warning(`service ${service}`, `return ${name}: ${path} matched nothing; the variable is not set`))
    else env.push({ name, value: found.map(asText).join(",") })
  }
  return { value: { service, env }, warnings }
}
