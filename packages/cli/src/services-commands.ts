import { planServices, resolveSpawn, servicesDown, servicesUp } from "@jsp/core"
import { type DryRunAction, DryRunServiceGateway } from "@jsp/file-adapter"
import { Console, Effect, Layer, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { type CliFailure, usageError } from "./failure.ts"
import { formatOutput } from "./io.ts"
import { printWarnings, reportErrors } from "./report.ts"
import { clusterFlags, nonEmpty, spawnFlags, verboseFlag } from "./spawn-flags.ts"
import { requireUser } from "./spawn-input.ts"
import { checkSourceFlags, type ClusterFlags, clusterFlagsGiven, clusterOf, configSourceLayer, serviceGatewayLayer, type SourceFlags, sourceKind } from "./sources.ts"

const templatesFlag = Flag.String("templates").pipe(Flag.atLeast(0), Flag.withMetavar("PATH"),
  Flag.withDescription("Files or directories holding the services' template ConfigMaps (same forms as --config; with --config); repeatable"))

const dryRunFlag = (what: string) => Flag.Boolean("dry-run").pipe(Flag.withDefault(false), Flag.withDescription(
  `Write nothing to the cluster: print on standard error, as YAML, the objects ${what}; standard output as without it`))

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

// A dry run reaches a cluster only to read the configuration (--source cluster): a cluster flag
// beside files, or on `down`, would reach nothing.
const checkDryRun = (flags: ClusterFlags, why: (given: string) => string): Effect.Effect<void, CliFailure> => {
  const given = clusterFlagsGiven(flags)
  return given.length === 0
    ? Effect.void
    : usageError(`${given.join(", ")} ${given.length === 1 ? "reaches" : "reach"} a cluster, but ${why(given.join(", "))}`)
}

// The namespace a dry run's objects are shown in: --namespace, else the cluster's the configuration is read from.
const dryRunNamespace = (flags: SourceFlags): Effect.Effect<string | undefined, CliFailure> =>
  Option.isSome(flags.namespace) || sourceKind(flags) === "file"
    ? Effect.succeed(Option.getOrUndefined(flags.namespace))
    : Effect.map(clusterOf(flags), (cluster) => cluster.namespace)

const said: Record<DryRunAction["action"], string> = {
  ensure: "dry run: would be created if missing (it owns the service objects)",
  apply: "dry run: would be created, or replaced if it exists (the owner's uid is the reference ConfigMap's, known once it exists)",
  delete: "dry run: would be deleted; garbage collection would then remove every object it owns"
}

/** What a dry run would have written, as YAML documents, each after a comment saying what would be done to it. */
const printDryRun = (actions: ReadonlyArray<DryRunAction>) =>
  Console.error(actions.map(({ action, object }) => `# ${said[action]}\n${formatOutput(object, "yaml")}`).join("\n---\n"))

// A value with a line break would add lines of its own to the NAME=value output (another variable, for whoever reads it).
const unprintable = /[\u0000-\u0008\u000a-\u001f\u007f]/u

const up = Command.make("up", {
  ...spawnFlags,
  templates: templatesFlag,
  dryRun: dryRunFlag("it would submit (the return values are read from them as rendered; readiness is not waited for)"),
  output: Flag.Literals("output", ["env", "json"]).pipe(Flag.withAlias("o"), Flag.withDefault("env"),
    Flag.withDescription("Output format: env (default; NAME=value lines) or json (with --dry-run: the objects too, as dryRun)"))
}, Effect.fn("services up")(function*(flags) {
  const input = yield* requireUser(flags)
  // Every usage error before any file or cluster is read (the dry run's namespace may read a kubeconfig).
  yield* checkSourceFlags(flags, { usesCluster: true })
  if (flags.dryRun && sourceKind(flags) === "file") {
    yield* checkDryRun(flags, (given) => `a dry run with --config reads and writes none: drop ${given}, or --config to read the configuration from the cluster`)
  }
  const dryRun = flags.dryRun ? DryRunServiceGateway({ namespace: yield* dryRunNamespace(flags) }) : undefined
  const result = yield* Effect.gen(function*() {
    const resolution = yield* resolveSpawn(input)
    yield* printWarnings(resolution.warnings)
    return yield* servicesUp(resolution)
  }).pipe(Effect.provide(Layer.mergeAll(configSourceLayer(flags, { usesCluster: true }), dryRun?.layer ?? serviceGatewayLayer(flags))))
  if (dryRun !== undefined && flags.output === "env") yield* printDryRun(dryRun.actions())
  yield* printWarnings(result.warnings)
  if (flags.output === "json") {
    return yield* Console.log(formatOutput({ returns: result.returns, warnings: result.warnings, ...(dryRun === undefined ? {} : { dryRun: dryRun.actions() }) }, "json"))
  }
  const lines: Array<string> = []
  for (const { service, env } of result.returns) {
    for (const { name, value } of env) {
      if (!unprintable.test(value)) lines.push(`${name}=${value}`)
      else yield* Effect.logWarning(`service ${service}: ${name} holds a line break or control character, which NAME=value lines cannot carry; left out here (--output json gives it)`)
    }
  }
  if (lines.length > 0) yield* Console.log(lines.join("\n"))
}, reportErrors)).pipe(Command.withDescription(
  "Deploy a spawn's services to the cluster (SPEC 7) and print the environment variables they return"))

const down = Command.make("down", {
  source: Flag.Literals("source", ["cluster"]).pipe(Flag.optional, Flag.withMetavar("cluster"),
    Flag.withDescription("Where the services are: always the cluster (down reads no configuration)")),
  ...clusterFlags,
  user: nonEmpty(Flag.String("user")).pipe(Flag.withMetavar("NAME"), Flag.withDescription("The user whose services to tear down")),
  dryRun: dryRunFlag("it would delete"),
  verbose: verboseFlag
}, Effect.fn("services down")(function*(flags) {
  if (!flags.dryRun) return yield* servicesDown(flags.user).pipe(Effect.provide(serviceGatewayLayer(flags)))
  yield* checkDryRun(flags, (given) => `services down --dry-run reaches none: drop ${given} (--namespace names the namespace)`)
  const dryRun = DryRunServiceGateway({ namespace: Option.getOrUndefined(flags.namespace) })
  yield* servicesDown(flags.user).pipe(Effect.provide(dryRun.layer))
  yield* printDryRun(dryRun.actions())
}, reportErrors)).pipe(Command.withDescription(
  "Tear a user's services down: delete their reference ConfigMap; garbage collection removes what it owns"))

/** `jsp services`: per-user services (SPEC 7). */
export const services = Command.make("services").pipe(
  Command.withDescription("Per-user services (a Spark cluster and the like) rendered from templates"),
  Command.withSubcommands([plan, up, down]))
