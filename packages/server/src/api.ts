import {
  applySpawn,
  decodeWith,
  getUserSettings,
  type InvalidDocument,
  listImages,
  listSizes,
  loadConfiguration,
  optionsFormFor,
  resolveSpawn,
  servicesDown,
  servicesUp,
  type SpawnOptions,
  writeUserSettings
} from "@jsp/core"
import { Effect, Option, Result, Schema } from "effect"
import { json, problem, type Reply, replyingErrors, warningHeaders } from "./reply.ts"

const spawnFields = {
  user: Schema.optionalKey(Schema.NonEmptyString),
  groups: Schema.optionalKey(Schema.Array(Schema.String)),
  image: Schema.optionalKey(Schema.NonEmptyString),
  size: Schema.optionalKey(Schema.NonEmptyString),
  gpuType: Schema.optionalKey(Schema.NonEmptyString)
}

/** The body of `POST /api/pods/apply`: the pod, and what the hub knows of the spawn that the pod may not say. */
export const ApplyRequest = Schema.Struct({ pod: Schema.Record(Schema.String, Schema.Unknown), ...spawnFields })

/** The body of `POST /api/users/{user}/services`: the spawn the services are for (the user is in the path). */
export const ServicesRequest = Schema.Struct({
  groups: spawnFields.groups,
  image: spawnFields.image,
  size: spawnFields.size,
  gpuType: spawnFields.gpuType
})

const decodeApply = decodeWith(ApplyRequest)
const decodeServices = decodeWith(ServicesRequest)

const badRequest = (error: InvalidDocument): Reply => problem(422, error.message)

/** `GET /api/images?user=`: the images the user may choose, their last choice marked (SPEC 8). */
export const images = (user: string | undefined) =>
  listImages(user).pipe(Effect.map((view) => json(200, view)), replyingErrors)

/** `GET /api/sizes`: the configured sizes (SPEC 4). */
export const sizes = listSizes().pipe(Effect.map((view) => json(200, view)), replyingErrors)

/** `GET /api/ui`: the configuration's `ui` section, which the form follows (SPEC 1). */
export const ui = loadConfiguration().pipe(
  Effect.map(({ configuration, warnings }) => json(200, { ui: configuration.ui, warnings })),
  replyingErrors)

/** `GET /api/users/{user}/settings`: what the user stored, and what a spawn would ignore of it. */
export const getSettings = (user: string) =>
  getUserSettings(user).pipe(
    Effect.map(Option.match({
      onNone: () => problem(404, `user ${user} has no settings`),
      onSome: ({ document, warnings }) => json(200, { settings: document.content, warnings })
    })),
    replyingErrors)

/** `PUT /api/users/{user}/settings`: validated against SPEC 1's keys and bounds, then stored. */
export const putSettings = (user: string, body: unknown) =>
  writeUserSettings(user, body).pipe(
    Effect.map((stored) => json(200, { settings: stored })),
    replyingErrors)

/**
 * `POST /api/pods/apply`: the pod with the spawn applied, exactly what `jsp apply` prints — the
 * hub-driven mode's `modify_pod_hook`. Warnings travel in `Warning` headers: the body is the pod.
 */
export const applyPod = (body: unknown, options: SpawnOptions) => {
  const request = decodeApply("request", body, { unknownKeys: "reject" })
  if (Result.isFailure(request)) return Effect.succeed(badRequest(request.failure))
  const { pod, ...input } = request.success.value
  return applySpawn(pod, input, options).pipe(
    Effect.map(({ pod: result, resolution }) => json(200, result, warningHeaders(resolution.warnings))),
    replyingErrors)
}

/** `POST /api/users/{user}/services`: deploys the user's services (the hub's `pre_spawn_hook`) and returns their variables. */
export const servicesUpFor = (user: string, body: unknown) => {
  const request = decodeServices("request", body ?? {}, { unknownKeys: "reject" })
  if (Result.isFailure(request)) return Effect.succeed(badRequest(request.failure))
  return resolveSpawn({ user, ...request.success.value }, { unknownSize: "warn" }).pipe(
    Effect.flatMap((resolution) => Effect.map(servicesUp(resolution), (ran) => ({ resolution, ran }))),
    Effect.map(({ resolution, ran }) => json(200, {
      env: Object.fromEntries(ran.returns.flatMap((r) => r.env.map(({ name, value }) => [name, value]))),
      services: resolution.merged.services.map(({ value }) => value.name),
      warnings: [...resolution.warnings, ...ran.warnings]
    })),
    replyingErrors)
}

/** `DELETE /api/users/{user}/services`: tears the user's services down (the hub's `post_stop_hook`). */
export const servicesDownFor = (user: string) =>
  servicesDown(user).pipe(Effect.as<Reply>({ status: 204, text: "" }), replyingErrors)

/** `GET /form?user=NAME`: the options form's HTML fragment for KubeSpawner's `options_form` (SPEC 9). */
export const form = (user: string | undefined) =>
  user === undefined
    ? Effect.succeed(problem(400, "name the user: /form?user=NAME"))
    : optionsFormFor(user).pipe(
      Effect.tap(({ warnings }) => warnings.length === 0 ? Effect.void : Effect.logDebug(`form of ${user}: ${warnings.length} warnings`)),
      Effect.map(({ html }): Reply => ({ status: 200, html })),
      replyingErrors)
