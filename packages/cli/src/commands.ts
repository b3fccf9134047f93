import {
  applySpawn,
  configJsonSchema,
  type ExplainLine,
  explainResolution,
  formatWarning,
  resolutionView,
  resolveSpawn,
  warning
} from "@jsp/core"
import { Console, Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { CliFailure, ExitCode } from "./failure.ts"
import { formatOutput, readDocument } from "./io.ts"
import { formatTable } from "./table.ts"
import { printWarnings, reportErrors } from "./report.ts"
import { nonEmpty, outputFlag, sourceFlags, spawnFlags } from "./spawn-flags.ts"
import { configSourceLayer, sourceKind } from "./sources.ts"
import { images, sizes, userSettings } from "./catalog-commands.ts"
import { services } from "./services-commands.ts"
import { serve } from "./serve-command.ts"
import { validate as validateWith } from "./validate.ts"
import { requireUser, spawnInputOf } from "./spawn-input.ts"


// `jsp apply` only transforms the pod: say so rather than drop a spawn's services silently.
const servicesNotCreated = (services: ReadonlyArray<{ readonly value: { readonly name: string }; readonly from: string }>) =>
  services.length === 0 ? [] : [warning("services",
    `${services.map(({ value, from }) => `${value.name} (from ${from})`).join(", ")} are not created by jsp apply (jsp services up or jsp serve's webhook create them); their return values are not in the pod`)]

const apply = Command.make("apply", {
  ...spawnFlags,
  pod: nonEmpty(Flag.String("pod")).pipe(Flag.withMetavar("PATH|-"), Flag.withDescription("The pod (YAML or JSON) to transform; - reads standard input")),
  gpuMode: Flag.Literals("gpu-mode", ["selinux", "privileged"]).pipe(Flag.optional, Flag.withMetavar("selinux|privileged"),
    Flag.withDescription("How the notebook container may use a GPU: selinux (drop capabilities, nvidia_container_t) or privileged")),
  mountPath: nonEmpty(Flag.String("default-mount-path")).pipe(Flag.optional, Flag.withMetavar("DIR"),
    Flag.withDescription("Where volumes without an absolute mountPath go (default /opt/app-root/src)")),
  output: outputFlag
}, Effect.fn("apply")(function*(flags) {
  const pod = yield* readDocument(flags.pod, "pod")
  const { pod: result, resolution } = yield* applySpawn(pod, spawnInputOf(flags), {
    gpuMode: Option.getOrUndefined(flags.gpuMode),
    defaultMountPath: Option.getOrUndefined(flags.mountPath)
  }).pipe(Effect.provide(configSourceLayer(flags)))
  yield* printWarnings([...resolution.warnings, ...servicesNotCreated(resolution.merged.services)])
  yield* Console.log(formatOutput(result, flags.output))
}, reportErrors)).pipe(Command.withDescription("Print the pod with the matching profiles, the user's settings and the size applied"))

const resolve = Command.make("resolve", { ...spawnFlags, output: outputFlag }, Effect.fn("resolve")(function*(flags) {
  const resolution = yield* resolveSpawn(yield* requireUser(flags)).pipe(Effect.provide(configSourceLayer(flags)))
  yield* printWarnings(resolution.warnings)
  yield* Console.log(formatOutput({ image: resolution.spawn.image, ...resolutionView(resolution) }, flags.output))
}, reportErrors)).pipe(Command.withDescription("Print the merged profile of a spawn as JSON (or YAML)"))

/**
 * The lines as a table, the value last: a long value (a toleration, an affinity term) runs on
 * without pushing the other columns out of line.
 */
const formatExplainLines = (lines: ReadonlyArray<ExplainLine>): string =>
  formatTable(["field", "set by", "value"], lines.map((l) => [l.field, l.from, l.display]))

const explain = Command.make("explain", {
  ...spawnFlags,
  output: Flag.Literals("output", ["text", "json"]).pipe(Flag.withAlias("o"), Flag.withDefault("text"), Flag.withMetavar("text|json"),
    Flag.withDescription("Output format: text (default) or json"))
}, Effect.fn("explain")(function*(flags) {
  const resolution = yield* resolveSpawn(yield* requireUser(flags)).pipe(Effect.provide(configSourceLayer(flags)))
  const lines = explainResolution(resolution)
  if (flags.output === "json") {
    yield* Console.log(JSON.stringify({ image: resolution.spawn.image, profiles: resolution.merged.applied, values: lines.map(({ field, value, from }) => ({ field, value, from })), warnings: resolution.warnings }, null, 2))
    return
  }
  const applied = resolution.merged.applied
  yield* Console.log(`image:    ${resolution.spawn.image}`)
  yield* Console.log(`applied:  ${applied.length === 0 ? "(nothing matched)" : applied.join(", ")}`)
  yield* Console.log("")
  if (lines.length > 0) yield* Console.log(formatExplainLines(lines))
  for (const w of resolution.warnings) yield* Console.log(`warning: ${formatWarning(w)}`)
}, reportErrors)).pipe(Command.withDescription("Print every resulting value and the profile, size or user settings that set it"))

const validate = Command.make("validate", {
  paths: Argument.String("path").pipe(Argument.filter((path) => path.trim().length > 0, () => "a non-empty path"), Argument.variadic({ min: 0 }),
    Argument.withDescription("Configuration files or directories (documents, ConfigMap manifests, v1/Lists)")),
  ...sourceFlags
}, Effect.fn("validate")(function*(flags) {
  const paths = [...flags.paths, ...flags.config]
  const kind = sourceKind({ ...flags, config: paths })
  if (kind === "cluster" && paths.length > 0) {
    return yield* new CliFailure({ text: "paths are validated as files: drop --source cluster, or the paths to validate the cluster", code: ExitCode.usage })
  }
  if (kind === "file" && paths.length === 0) return yield* new CliFailure({ text: "nothing to validate: give PATH…, or --source cluster", code: ExitCode.usage })
  return yield* validateWith({ ...flags, config: paths })
})).pipe(Command.withDescription("Check configuration files and directories; exit 0 when every document is valid, 1 otherwise"))

const schema = Command.make("schema", { verbose: sourceFlags.verbose }, () => Console.log(JSON.stringify(configJsonSchema(), null, 2))).pipe(
  Command.withDescription("Print the JSON Schema of the configuration document (for editors and CI)"))

/** The `jsp` command. */
export const jsp = Command.make("jsp").pipe(
  Command.withDescription("JupyterHub singleuser profiles: decide what each notebook pod gets, and why"),
  Command.withSubcommands([apply, resolve, explain, validate, schema, images, sizes, userSettings, services, serve])
)
