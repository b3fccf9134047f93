import type { Json } from "../internal/json.ts"
import type { Sourced } from "../merge/merge.ts"
import type { Resolution } from "../merge/resolve.ts"

const values = <A>(items: ReadonlyArray<Sourced<A>>): ReadonlyArray<A> => items.map(({ value }) => value)

const quantities = (list: Readonly<Record<string, Sourced<string>>>): Record<string, string> =>
  Object.fromEntries(Object.entries(list).map(([name, { value }]) => [name, value]))

/** A resolution as plain JSON in the configuration's own vocabulary (what `jsp resolve` prints). */
export const resolutionView = ({ merged, size, warnings }: Resolution) => {
  const { required, preferred } = merged.nodeAffinity
  return {
    profiles: merged.applied,
    size: size ?? null,
    env: values(merged.env),
    resources: { requests: quantities(merged.resources.requests), limits: quantities(merged.resources.limits) },
    node_tolerations: values(merged.tolerations),
    node_affinity: {
      ...(required === undefined ? {} : { requiredDuringSchedulingIgnoredDuringExecution: required.value }),
      ...(preferred.length === 0 ? {} : { preferredDuringSchedulingIgnoredDuringExecution: values(preferred) })
    },
    volumes: values(merged.volumes),
    services: Object.fromEntries(merged.services.map(({ value }) => [value.name, value.service])),
    gpu: merged.gpu?.value ?? 0,
    warnings
  } satisfies Record<string, Json>
}
