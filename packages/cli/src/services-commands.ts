import { planServices, resolveSpawn } from "@jsp/core"
import { Console, Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { CliFailure, ExitCode } from "./failure.ts"
import { formatOutput } from "./io.ts"
import { printWarnings, reportErrors } from "./report.ts"
import { spawnFlags } from "./spawn-flags.ts"
import { configSourceLayer } from "./sources.ts"

const plan = Command.make("plan", {
  ...spawnFlags,
  templates: Flag.String("templates").pipe(Flag.atLeast(0), Flag.withMetavar("PATH"),
    Flag.withDescription("Files or directories holding the services' template ConfigMaps (same forms as --config); repeatable")),
  output: Flag.Literals("output", ["yaml", "json"]).pipe(Flag.withAlias("o"), Flag.withDefault("yaml"),
    Flag.withDescription("Output format: yaml (default; one document per object) or json (one array)"))
}, Effect.fn("services plan")(function*(flags) {
  const user = Option.getOrUndefined(flags.user)
  if (user === undefined) return yield* new CliFailure({ text: "no user: name one with --user", code: ExitCode.usage })
  const objects = yield* Effect.gen(function*() {
    const resolution = yield* resolveSpawn({
      user,
      groups: flags.group.length > 0 ? flags.group : undefined,
      image: Option.getOrUndefined(flags.image),
      size: Option.getOrUndefined(flags.size),
      gpuType: Option.getOrUndefined(flags.gpuType)
    })
    yield* printWarnings(resolution.warnings)
    return (yield* planServices(resolution)).map((p) => p.object)
  }).pipe(Effect.provide(configSourceLayer(flags)))
  if (flags.output === "json") return yield* Console.log(formatOutput(objects, "json"))
  yield* Console.log(objects.map((o) => formatOutput(o, "yaml")).join("\n---\n"))
}, reportErrors)).pipe(Command.withDescription(
  "Print the objects a spawn's services would submit (SPEC 7), rendered from their templates, without touching a cluster; " +
  "the owner reference to the user's reference ConfigMap is added when they are submitted"))

/** `jsp services`: per-user services (SPEC 7). */
export const services = Command.make("services").pipe(
  Command.withDescription("Per-user services (a Spark cluster and the like) rendered from templates"),
  Command.withSubcommands([plan]))
