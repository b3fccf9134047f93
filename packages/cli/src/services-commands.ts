import { planServices, resolveSpawn, servicesDown, servicesUp } from "@jsp/core"
import { Console, Effect, Layer } from "effect"
import { Command, Flag } from "effect/cli"
import { requireUser } from "./spawn-input.ts"
import { formatOutput } from "./io.ts"
import { printWarnings, reportErrors } from "./report.ts"
import { nonEmpty, sourceFlags, spawnFlags } from "./spawn-flags.ts"
import { configSourceLayer, serviceGatewayLayer } from "./sources.ts"

const templatesFlag = Flag.String("templates").pipe(Flag.atLeast(0), Flag.withMetavar("PATH"),
  Flag.withDescription("Files or directories holding the services' template ConfigMaps (same forms as --config; with --config); repeatable"))

const plan = Command.make("plan", {
  ...spawnFlags,
  templates: templatesFlag,
  output: Flag.Literals("output", ["yaml", "json"]).pipe(Flag.withAlias("o"), Flag.withDefault("yaml"),
    Flag.withDescription("Output format: yaml (default; one document per object) or json (one array)"))
}, Effect.fn("services plan")(function*(flags) {
  const input = yield* requireUser(flags)
  const objects = yield* Effect.gen(function*() {
    const resolution = yield* resolveSpawn(input)
    yield* printWarnings(resolution.warnings)
    return (yield* planServices(resolution)).map((p) => p.object)
  }).pipe(Effect.provide(configSourceLayer(flags)))
  if (flags.output === "json") return yield* Console.log(formatOutput(objects, "json"))
  yield* Console.log(objects.map((o) => formatOutput(o, "yaml")).join("\n---\n"))
}, reportErrors)).pipe(Command.withDescription(
  "Print the objects a spawn's services would submit (SPEC 7), rendered from their templates, without touching a cluster; " +
  "the owner reference to the user's reference ConfigMap is added when they are submitted"))

const up = Command.make("up", {
  ...spawnFlags,
  templates: templatesFlag,
  output: Flag.Literals("output", ["env", "json"]).pipe(Flag.withAlias("o"), Flag.withDefault("env"),
    Flag.withDescription("Output format: env (default; NAME=value lines) or json"))
}, Effect.fn("services up")(function*(flags) {
  const input = yield* requireUser(flags)
  const result = yield* Effect.gen(function*() {
    const resolution = yield* resolveSpawn(input)
    yield* printWarnings(resolution.warnings)
    return yield* servicesUp(resolution)
  }).pipe(Effect.provide(Layer.mergeAll(configSourceLayer(flags, { usesCluster: true }), serviceGatewayLayer(flags))))
  yield* printWarnings(result.warnings)
  const env = result.returns.flatMap((r) => r.env)
  if (flags.output === "json") return yield* Console.log(formatOutput({ returns: result.returns, warnings: result.warnings }, "json"))
  if (env.length > 0) yield* Console.log(env.map((e) => `${e.name}=${e.value}`).join("\n"))
}, reportErrors)).pipe(Command.withDescription(
  "Deploy a spawn's services to the cluster (SPEC 7) and print the environment variables they return"))

const down = Command.make("down", {
  ...sourceFlags,
  user: nonEmpty(Flag.String("user")).pipe(Flag.withMetavar("NAME"), Flag.withDescription("The user whose services to tear down"))
}, Effect.fn("services down")(function*(flags) {
  yield* servicesDown(flags.user).pipe(Effect.provide(serviceGatewayLayer(flags)))
}, reportErrors)).pipe(Command.withDescription(
  "Tear a user's services down: delete their reference ConfigMap; garbage collection removes what it owns"))

/** `jsp services`: per-user services (SPEC 7). */
export const services = Command.make("services").pipe(
  Command.withDescription("Per-user services (a Spark cluster and the like) rendered from templates"),
  Command.withSubcommands([plan, up, down]))
