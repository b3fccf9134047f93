import { type KubeObject, type OwnerReference, serviceOwnerName, serviceOwnerObject, ServiceGateway } from "@jsp/core"
import { Effect, Layer, Option } from "effect"

/** One write a dry run did not make: what would have been done to which object. */
export interface DryRunAction {
  /**
   * `ensure`: the user's reference ConfigMap, created when missing; `apply`: created, or replaced
   * when it exists; `delete`: deleted, and garbage collection then removes what it owns.
   */
  readonly action: "ensure" | "apply" | "delete"
  readonly object: KubeObject
}

/** What the API server would assign the reference ConfigMap; empty, so the printed owner reference can never pass for a real one. */
const unknownUid = ""

/**
 * A `ServiceGateway` that submits nothing (SPEC 7, a dry run): it records what `servicesUp` and
 * `servicesDown` would write, in order, and reads back the objects as they were given to it. With
 * a namespace, the objects are placed in it as the cluster adapter would.
 */
export const DryRunServiceGateway = (options: { readonly namespace?: string | undefined } = {}) => {
  const actions: Array<DryRunAction> = []
  const submitted = new Map<string, KubeObject>()
  const keyOf = (object: KubeObject) => `${object.apiVersion}/${object.kind}/${String(object.metadata["name"])}`
  // The namespace goes right after the name, where kubectl shows it.
  const placed = (object: KubeObject): KubeObject => {
    if (options.namespace === undefined) return object
    const { name, namespace: _replaced, ...rest } = object.metadata
    return { ...object, metadata: { ...(name === undefined ? {} : { name }), namespace: options.namespace, ...rest } }
  }
  const ownerConfigMap = (user: string): KubeObject => placed(serviceOwnerObject(user))

  const layer = Layer.succeed(ServiceGateway, ServiceGateway.of({
    dryRun: true,
    ensureOwner: (user) => Effect.sync((): OwnerReference => {
      actions.push({ action: "ensure", object: ownerConfigMap(user) })
      return { apiVersion: "v1", kind: "ConfigMap", name: serviceOwnerName(user), uid: unknownUid }
    }),
    submit: (object) => Effect.sync(() => {
      const stored = placed(object)
      actions.push({ action: "apply", object: stored })
      submitted.set(keyOf(stored), stored)
      return stored
    }),
    read: (object) => Effect.sync(() => Option.fromNullishOr(submitted.get(keyOf(placed(object))))),
    removeOwner: (user) => Effect.sync(() => {
      actions.push({ action: "delete", object: ownerConfigMap(user) })
    })
  }))
  return { layer, actions: (): ReadonlyArray<DryRunAction> => [...actions] }
}
