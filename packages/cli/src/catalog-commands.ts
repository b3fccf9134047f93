import { getUserSettings, listImages, listSizes, writeUserSettings } from "@jsp/core"
import { Console, Effect, Layer, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { CliFailure, ExitCode, usageError } from "./failure.ts"
import { formatOutput } from "./io.ts"
import { printWarnings, reportErrors } from "./report.ts"
import { imageStreamsFlag, nonEmpty, outputFlag, sourceFlags } from "./spawn-flags.ts"
import { configSourceLayer, imageCatalogLayer, imagesFromCluster, userSettingsReadLayer, userSettingsStoreLayer } from "./sources.ts"
import { formatTable } from "./table.ts"

const tableOrJson = Flag.Literals("output", ["table", "json"]).pipe(Flag.withAlias("o"), Flag.withDefault("table"), Flag.withMetavar("table|json"),
  Flag.withDescription("Output format: table (default) or json"))


const quantities = (list: Readonly<Record<string, string>>) => Object.entries(list).map(([k, v]) => `${k}=${v}`).join(",")

/** `jsp images`: the notebook images users may choose, as the spawner form offers them. */
export const images = Command.make("images", {
  ...sourceFlags,
  user: nonEmpty(Flag.String("user")).pipe(Flag.optional, Flag.withMetavar("NAME"), Flag.withDescription("Mark this user's last selected image")),
  imageStreams: imageStreamsFlag,
  output: tableOrJson
}, Effect.fn("images")(function*(flags) {
  const view = yield* listImages(Option.getOrUndefined(flags.user))
  yield* printWarnings(view.warnings)
  if (flags.output === "json") return yield* Console.log(JSON.stringify(view.images, null, 2))
  yield* Console.log(formatTable(["name", "display name", "order", "notes", "description"], view.images.map((i) => [
    i.name, i.displayName, String(i.order),
    [i.default ? "default" : "", i.recommended ? "recommended" : "", i.selected ? "last selected" : ""].filter((n) => n !== "").join(","),
    i.description ?? ""
  ])))
}, (self, flags) => Effect.provide(self, Layer.merge(configSourceLayer(flags, { usesCluster: imagesFromCluster(flags) }), imageCatalogLayer(flags))), reportErrors))
  .pipe(Command.withDescription("List the notebook images (ImageStreams) users may choose, as the spawner form orders them; --config with --imagestreams needs no cluster"))

/** `jsp sizes`: the configured container sizes, normalised. */
export const sizes = Command.make("sizes", { ...sourceFlags, output: tableOrJson }, Effect.fn("sizes")(function*(flags) {
  const { sizes: list, warnings } = yield* listSizes()
  yield* printWarnings(warnings)
  if (flags.output === "json") return yield* Console.log(JSON.stringify(list, null, 2))
  yield* Console.log(formatTable(["name", "requests", "limits"], list.map((s) => [s.name, quantities(s.resources.requests), quantities(s.resources.limits)])))
}, (self, flags) => Effect.provide(self, configSourceLayer(flags)), reportErrors))
  .pipe(Command.withDescription("List the configured container sizes"))

const userFlag = nonEmpty(Flag.String("user")).pipe(Flag.withMetavar("NAME"), Flag.withDescription("The user"))

const get = Command.make("get", { ...sourceFlags, user: userFlag, output: outputFlag },
  Effect.fn("user-settings get")(function*(flags) {
    const stored = yield* getUserSettings(flags.user)
    if (Option.isNone(stored)) return yield* new CliFailure({ text: `user ${flags.user} has no settings`, code: ExitCode.invalid })
    yield* printWarnings(stored.value.warnings)
    yield* Console.log(formatOutput(stored.value.document.content, flags.output))
  }, (self, flags) => Effect.provide(self, userSettingsReadLayer(flags)), reportErrors))
  .pipe(Command.withDescription("Print a user's stored settings (warnings for what a spawn would ignore)"))

const assignment = (kind: string) => (text: string): Effect.Effect<{ name: string; value: string }, CliFailure> => {
  const at = text.indexOf("=")
  return at <= 0
    ? Effect.fail(new CliFailure({ text: `--${kind} ${text}: expected NAME=VALUE`, code: ExitCode.usage }))
    : Effect.succeed({ name: text.slice(0, at), value: text.slice(at + 1) })
}

/** `user-settings set` without anything to set would write `{}`, erasing nothing visible and meaning nothing. */
const nothingToSet = (flags: {
  readonly image: Option.Option<string>
  readonly size: Option.Option<string>
  readonly gpu: Option.Option<number>
  readonly env: ReadonlyArray<string>
  readonly passwordEnv: ReadonlyArray<string>
}) => Option.isNone(flags.image) && Option.isNone(flags.size) && Option.isNone(flags.gpu) && flags.env.length === 0 && flags.passwordEnv.length === 0

const set = Command.make("set", {
  ...sourceFlags,
  user: userFlag,
  image: nonEmpty(Flag.String("image")).pipe(Flag.optional, Flag.withMetavar("REF"), Flag.withDescription("Last selected image")),
  size: nonEmpty(Flag.String("size")).pipe(Flag.optional, Flag.withMetavar("NAME"), Flag.withDescription("Last selected size (must be configured)")),
  gpu: Flag.Int("gpu").pipe(Flag.optional, Flag.withMetavar("N"), Flag.withDescription("GPUs (at most what the form offers)")),
  env: Flag.String("env").pipe(Flag.atLeast(0), Flag.withMetavar("NAME=VALUE"),
    Flag.withDescription("Environment variable; repeatable; any --env or --password-env replaces the user's whole env")),
  passwordEnv: Flag.String("password-env").pipe(Flag.atLeast(0), Flag.withMetavar("NAME=VALUE"),
    Flag.withDescription("Environment variable kept in the user's Secret; repeatable"))
}, Effect.fn("user-settings set")(function*(flags) {
  const text = yield* Effect.forEach(flags.env, assignment("env"))
  const secret = yield* Effect.forEach(flags.passwordEnv, assignment("password-env"))
  const input = {
    ...Option.match(flags.image, { onNone: () => ({}), onSome: (last_selected_image) => ({ last_selected_image }) }),
    ...Option.match(flags.size, { onNone: () => ({}), onSome: (last_selected_size) => ({ last_selected_size }) }),
    ...Option.match(flags.gpu, { onNone: () => ({}), onSome: (gpu) => ({ gpu }) }),
    ...(text.length + secret.length === 0 ? {} : {
      env: [...text.map((e) => ({ ...e, type: "text" })), ...secret.map((e) => ({ ...e, type: "password" }))]
    })
  }
  const stored = yield* writeUserSettings(flags.user, input)
  yield* Console.log(formatOutput(stored, "json"))
}, (self, flags) =>
  // Checked before the cluster is reached: a usage error is a usage error even when the cluster is down.
  nothingToSet(flags) ? usageError("nothing to set: give --image, --size, --gpu, --env or --password-env") :
  Effect.provide(self, Layer.merge(configSourceLayer(flags, { usesCluster: true }), userSettingsStoreLayer(flags))), reportErrors))
  .pipe(Command.withDescription("Write a user's settings as the spawner form would: validated, password values to the user's Secret"))

/** `jsp user-settings get|set`. */
export const userSettings = Command.make("user-settings").pipe(
  Command.withDescription("Read or write a user's own settings (ConfigMap jupyterhub-singleuser-profile-<user>)"),
  Command.withSubcommands([get, set]))
