import type { EnvVar } from "../config/kubernetes.ts"
import { canonicalJson, type Json } from "../internal/json.ts"
import { parseQuantity, quantityToInteger } from "../kube/quantity.ts"
import type { Resolution } from "../merge/resolve.ts"

/**
 * One resulting value and what set it: the answer to "why does my pod have this?". `value` is the
 * value itself as JSON (an env value's string, a quantity string, the GPU count, a toleration or
 * affinity term's object, an env's `{ valueFrom }`, a volume, a service); `display` is the same on
 * one line for text (strings quoted where they are env values, `from Secret s key k`, `claim c`).
 */
export interface ExplainLine {
  readonly field: string
  readonly value: Json
  readonly display: string
  readonly from: string
}

const envDisplay = (env: EnvVar): string => {
  const from = env.valueFrom
  if (from === undefined) return JSON.stringify(env.value ?? "")
  if (from.secretKeyRef) return `from Secret ${from.secretKeyRef.name} key ${from.secretKeyRef.key}`
  if (from.configMapKeyRef) return `from ConfigMap ${from.configMapKeyRef.name} key ${from.configMapKeyRef.key}`
  if (from.fieldRef) return `from field ${from.fieldRef.fieldPath}`
  if (from.resourceFieldRef) return `from resource ${from.resourceFieldRef.resource}`
  return canonicalJson(from)
}

// Configuration values are decoded JSON: plain data, whatever their static type says.
const json = (value: unknown): Json => value as Json

const envValue = (env: EnvVar): Json => env.valueFrom === undefined ? env.value ?? "" : { valueFrom: json(env.valueFrom) }

/** Every value of a resolution with its provenance, in the order the pod transform uses them. */
export const explainResolution = ({ merged }: Resolution): ReadonlyArray<ExplainLine> => {
  const lines: Array<ExplainLine> = []
  for (const { value, from } of merged.env) lines.push({ field: `env ${value.name}`, value: envValue(value), display: envDisplay(value), from })
  const memory = merged.resources.limits["memory"]
  const bytes = memory === undefined ? undefined : parseQuantity(memory.value)
  if (memory !== undefined && bytes !== undefined) {
    const limit = quantityToInteger(bytes).toString()
    lines.push({ field: "env MEM_LIMIT", value: limit, display: JSON.stringify(limit), from: `${memory.from} (limits.memory)` })
  }
  for (const kind of ["requests", "limits"] as const) {
    for (const [name, { value, from }] of Object.entries(merged.resources[kind])) {
      lines.push({ field: `resources.${kind}.${name}`, value, display: value, from })
    }
  }
  if (merged.gpu !== undefined) lines.push({ field: "gpu", value: merged.gpu.value, display: String(merged.gpu.value), from: merged.gpu.from })
  for (const { value, from } of merged.tolerations) lines.push({ field: "node_tolerations", value: json(value), display: canonicalJson(value), from })
  const { required, preferred } = merged.nodeAffinity
  if (required !== undefined) {
    lines.push({ field: "node_affinity.required", value: json(required.value), display: canonicalJson(required.value), from: required.from })
  }
  for (const { value, from } of preferred) lines.push({ field: "node_affinity.preferred", value: json(value), display: canonicalJson(value), from })
  for (const { value, from } of merged.volumes) {
    lines.push({ field: `volumes ${value.name}`, value: json(value), display: `claim ${value.persistentVolumeClaim.claimName}`, from })
  }
  for (const { value, from } of merged.services) {
    lines.push({
      field: `services ${value.name}`,
      value: json(value.service),
      display: value.service.resources.map((r) => `${r.name}/${r.path}`).join(", "),
      from
    })
  }
  return lines
}
