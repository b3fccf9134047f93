import { Result, Schema } from "effect"
import { NonNegativeInt } from "../config/count.ts"
import type { Ui } from "../config/ui.ts"
import { decodeWith, isUnknownKeyProblem } from "../decode/schema.ts"
import { InvalidDocument, type Problem } from "../errors/errors.ts"
import { gpusOffered, userGpuMaximum } from "../merge/gpu.ts"
import { isJsonObject, type JsonObject } from "../internal/json.ts"
import { userSecretName } from "../kube/names.ts"
import { isReservedEnvName, userSettingsKeys } from "./read.ts"
import { EnvName } from "../config/kubernetes.ts"

/** An environment variable a user sets; `password` values are kept in the user's Secret. */
export const UserEnvInput = Schema.Struct({
  name: EnvName,
  value: Schema.String.pipe(Schema.check(Schema.isMaxLength(32_768))),
  type: Schema.optionalKey(Schema.Literals(["text", "password"]))
})
export type UserEnvInput = typeof UserEnvInput.Type

/** What a user may write to their settings (SPEC 1): anything else is rejected. */
export const UserSettingsUpdate = Schema.Struct({
  last_selected_image: Schema.optionalKey(Schema.String.pipe(Schema.check(Schema.isMaxLength(512)))),
  last_selected_size: Schema.optionalKey(Schema.String.pipe(Schema.check(Schema.isMaxLength(253)))),
  gpu: Schema.optionalKey(NonNegativeInt),
  env: Schema.optionalKey(Schema.Array(UserEnvInput).pipe(Schema.check(Schema.isMaxLength(200))))
})
export type UserSettingsUpdate = typeof UserSettingsUpdate.Type

const decodeUpdate = decodeWith(UserSettingsUpdate)

/** What a write may refer to: the form's GPU settings and the configured sizes. */
export interface UserSettingsWriteContext {
  readonly ui: Ui
  readonly sizes: ReadonlyArray<string>
}

/**
 * Checks a user's write (SPEC 1): only the allowed keys (others are rejected, not ignored),
 * no reserved or duplicate env names, a known size, and no more GPUs than the form offers.
 */
export const validateUserSettingsUpdate = (
  source: string,
  input: unknown,
  context: UserSettingsWriteContext
): Result.Result<UserSettingsUpdate, InvalidDocument> => {
  const decoded = decodeUpdate(source, input, { unknownKeys: "reject" })
  if (Result.isFailure(decoded)) {
    const allowed = `not allowed: users may only set ${userSettingsKeys.join(", ")}`
    return Result.fail(new InvalidDocument({
      source,
      problems: decoded.failure.problems.map((p) => isUnknownKeyProblem(p)
        ? { path: p.path, message: p.path.includes(".") || p.path.includes("[") ? "unknown key" : allowed }
        : p)
    }))
  }
  const update = decoded.success.value
  const problems: Array<Problem> = []
  const seen = new Set<string>()
  update.env?.forEach(({ name }, i) => {
    if (isReservedEnvName(name)) problems.push({ path: `env[${i}].name`, message: `"${name}" is reserved` })
    if (seen.has(name)) problems.push({ path: `env[${i}].name`, message: `"${name}" is given twice` })
    seen.add(name)
  })
  const size = update.last_selected_size
  if (size !== undefined && size !== "" && !context.sizes.includes(size)) {
    problems.push({ path: "last_selected_size", message: `unknown size "${size}" (known sizes: ${context.sizes.join(", ") || "none"})` })
  }
  const gpu = update.gpu
  const maximum = userGpuMaximum(context.ui)
  if (gpu !== undefined && gpu > 0 && !gpusOffered(context.ui)) {
    problems.push({ path: "gpu", message: "the spawner form offers no GPUs" })
  } else if (gpu !== undefined && gpu > maximum) {
    problems.push({ path: "gpu", message: `${gpu} is above the maximum of ${maximum}` })
  }
  return problems.length > 0 ? Result.fail(new InvalidDocument({ source, problems })) : Result.succeed(update)
}

/** The settings document and the Secret data a write produces. */
export interface RenderedUserSettings {
  /** The document for the ConfigMap key `profile`: password values replaced by references to the Secret. */
  readonly document: JsonObject
  /** The Secret's data (plain strings) when the env was written; undefined when it was not touched. */
  readonly secretData?: Readonly<Record<string, string>>
}

/**
 * Applies a validated update to the current document: the keys written replace theirs, every
 * other key is kept as it was; `env` is replaced whole, and each password value goes to the
 * user's Secret, never into the ConfigMap.
 */
export const renderUserSettings = (user: string, current: unknown, update: UserSettingsUpdate): RenderedUserSettings => {
  const base: JsonObject = isJsonObject(current) ? current : {}
  const { env, ...rest } = update
  const document: JsonObject = { ...base, ...rest }
  if (env === undefined) return { document }
  const secret = userSecretName(user)
  return {
    document: {
      ...document,
      env: env.map(({ name, value, type }) => type === "password"
        ? { name, valueFrom: { secretKeyRef: { name: secret, key: name } } }
        : { name, value })
    },
    secretData: Object.fromEntries(env.filter((e) => e.type === "password").map(({ name, value }) => [name, value]))
  }
}
