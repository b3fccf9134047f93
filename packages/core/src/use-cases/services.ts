import { Duration, Effect, Option } from "effect"
import type { Service } from "../config/service.ts"
import type { SourceUnavailable } from "../errors/errors.ts"
import type { Json } from "../internal/json.ts"
import type { Resolution } from "../merge/resolve.ts"
import { ConfigSource, type OwnerReference, ServiceGateway } from "../ports.ts"
import { type Warning, warning } from "../errors/warning.ts"
import { planService, type PlannedObject } from "../services/plan.ts"
import type { ServiceReturn } from "../services/returns.ts"
import { isReady, serviceReturns } from "../services/returns-eval.ts"
import type { DocumentText } from "../sources/config-maps.ts"

/** What a spawn's services gave: the variables they returned, and what was noticed. */
export interface ServicesResult {
  readonly returns: ReadonlyArray<ServiceReturn>
  readonly warnings: ReadonlyArray<Warning>
}

/** How long `ready` is waited for when a service does not say, and how often the object is read meanwhile. */
export const defaultReadyTimeoutSeconds = 120
const readyPoll = Duration.seconds(1)

// Templates come from the configuration source; each is read once per call.
const templatesOf = Effect.fnUntraced(function*(resolution: Resolution) {
  const source = yield* ConfigSource
  const found = new Map<string, DocumentText>()
  for (const { value } of resolution.merged.services) {
    for (const { name, path } of value.service.resources) {
      const key = `${name}\u0000${path}`
      if (found.has(key)) continue
      const text = yield* source.configMapKey(name, path)
      if (Option.isSome(text)) found.set(key, text.value)
    }
  }
  return (configMap: string, key: string) => found.get(`${configMap}\u0000${key}`)
})

/** The objects a spawn's services would submit (SPEC 7), without touching a cluster. */
export const planServices = Effect.fnUntraced(function*(resolution: Resolution, owner?: OwnerReference) {
  const template = yield* templatesOf(resolution)
  const planned: Array<PlannedObject> = []
  for (const { value } of resolution.merged.services) {
    planned.push(...yield* Effect.fromResult(planService(value.name, value.service, { user: resolution.spawn.user, template, owner })))
  }
  return planned
})

const describe = (planned: PlannedObject): string => `${planned.object.kind} ${String(planned.object.metadata["name"])}`

// Waits for `ready` on the live object; on timeout the spawn goes on, with a warning (SPEC 7).
const awaitReady = Effect.fnUntraced(function*(planned: PlannedObject, ready: NonNullable<Service["ready"]>) {
  const gateway = yield* ServiceGateway
  const check = gateway.read(planned.object).pipe(Effect.map((live) => Option.filter(live, (object) => isReady(object, ready))))
  const poll: Effect.Effect<Json, SourceUnavailable> = Effect.flatMap(check, (live) =>
    Option.isSome(live) ? Effect.succeed<Json>(live.value) : Effect.flatMap(Effect.sleep(readyPoll), () => poll))
  return yield* poll.pipe(Effect.timeoutOption(Duration.seconds(ready.timeoutSeconds ?? defaultReadyTimeoutSeconds)))
})

/**
 * Deploys a spawn's services (SPEC 7): ensures the user's reference ConfigMap, submits every
 * object (created, or replaced when it exists), waits for `ready` where asked, and reads the
 * return values from the objects as the API server holds them then. Running it twice leaves one
 * object of each. Through a dry-run gateway nothing is waited for: the returns come from the
 * objects as rendered, and a warning says that `ready` was not waited for.
 */
export const servicesUp = Effect.fnUntraced(function*(resolution: Resolution) {
  if (resolution.merged.services.length === 0) return { returns: [], warnings: [] } satisfies ServicesResult
  const gateway = yield* ServiceGateway
  const owner = yield* gateway.ensureOwner(resolution.spawn.user)
  const planned = yield* planServices(resolution, owner)
  const returns: Array<ServiceReturn> = []
  const warnings: Array<Warning> = []
  for (const { value } of resolution.merged.services) {
    const mine = planned.filter((p) => p.service === value.name)
    const latest: Array<Json> = []
    for (const object of mine) {
      const stored = yield* gateway.submit(object.object)
      const ready = value.service.ready
      if (ready !== undefined && gateway.dryRun) {
        warnings.push(warning(`service ${value.name}`, `dry run: ${describe(object)} is not waited for (ready: ${ready.path} = ${String(ready.equals)}); return values are read from the object as rendered`))
      }
      if (ready === undefined || gateway.dryRun) {
        latest.push(Option.getOrElse(yield* gateway.read(object.object), () => stored))
        continue
      }
      const live = yield* awaitReady(object, ready)
      if (Option.isNone(live)) {
        warnings.push(warning(`service ${value.name}`, `${describe(object)} was not ready (${ready.path} = ${String(ready.equals)}) within ${ready.timeoutSeconds ?? defaultReadyTimeoutSeconds} s; the spawn goes on`))
      }
      latest.push(Option.getOrElse(live, () => stored))
    }
    const read = serviceReturns(value.name, value.service.return ?? {}, latest)
    returns.push(read.value)
    warnings.push(...read.warnings)
  }
  return { returns, warnings } satisfies ServicesResult
})

/** Tears a user's services down (SPEC 7): their reference ConfigMap is deleted; garbage collection removes what it owns. */
export const servicesDown = Effect.fnUntraced(function*(user: string) {
  yield* (yield* ServiceGateway).removeOwner(user)
})

