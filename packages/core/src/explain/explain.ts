import type { EnvVar } from "../config/kubernetes.ts"
import { canonicalJson } from "../internal/json.ts"
import { parseQuantity, quantityToInteger } from "../kube/quantity.ts"
import type { Resolution } from "../merge/resolve.ts"

/** One resulting value and what set it: the answer to "why does my pod have this?". */
export interface ExplainLine {
  readonly field: string
  readonly value: string
  readonly from: string
}

const envValue = (env: EnvVar): string => {
  const from = env.valueFrom
  if (from === undefined) return JSON.stringify(env.value ?? "")
  if (from.secretKeyRef) return `from Secret ${from.secretKeyRef.name} key ${from.secretKeyRef.key}`
  if (from.configMapKeyRef) return `from ConfigMap ${from.configMapKeyRef.name} key ${from.configMapKeyRef.key}`
  if (from.fieldRef) return `from field ${from.fieldRef.fieldPath}`
  if (from.resourceFieldRef) return `from resource ${from.resourceFieldRef.resource}`
  return canonicalJson(from)
}

/** Every value of a resolution with its provenance, in the order the pod transform uses them. */
export const explainResolution = ({ merged }: Resolution): ReadonlyArray<ExplainLine> => {
  const lines: Array<ExplainLine> = []
  for (const { value, from } of merged.env) lines.push({ field: `env ${value.name}`, value: envValue(value), from })
  const memory = merged.resources.limits["memory"]
  const bytes = memory === undefined ? undefined : parseQuantity(memory.value)
  if (memory !== undefined && bytes !== undefined) {
    lines.push({ field: "env MEM_LIMIT", value: JSON.stringify(quantityToInteger(bytes).toString()), from: `${memory.from} (limits.memory)` })
  }
  for (const kind of ["requests", "limits"] as const) {
    for (const [name, { value, from }] of Object.entries(merged.resources[kind])) {
      lines.push({ field: `resources.${kind}.${name}`, value, from })
    }
  }
  if (merged.gpu !== undefined) lines.push({ field: "gpu", value: String(merged.gpu.value), from: merged.gpu.from })
  for (const { value, from } of merged.tolerations) lines.push({ field: "node_tolerations", value: canonicalJson(value), from })
  const { required, preferred } = merged.nodeAffinity
  if (required !== undefined) {
    lines.push({ field: "node_affinity.required", value: canonicalJson(required.value), from: required.from })
  }
  for (const { value, from } of preferred) lines.push({ field: "node_affinity.preferred", value: canonicalJson(value), from })
  for (const { value, from } of merged.volumes) {
    lines.push({ field: `volumes ${value.name}`, value: `claim ${value.persistentVolumeClaim.claimName}`, from })
  }
  for (const { value, from } of merged.services) {
    lines.push({ field: `services ${value.name}`, value: value.service.resources.map((r) => `${r.name}/${r.path}`).join(", "), from })
  }
  return lines
}
