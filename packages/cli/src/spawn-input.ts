import type { SpawnInput } from "@jsp/core"
import { Effect, Option } from "effect"
import { CliFailure, ExitCode } from "./failure.ts"
import type { SourceFlags } from "./sources.ts"

/** The flags that say who spawns what. */
export interface SpawnFlags extends SourceFlags {
  readonly user: Option.Option<string>
  readonly group: ReadonlyArray<string>
  readonly image: Option.Option<string>
  readonly size: Option.Option<string>
  readonly gpuType: Option.Option<string>
  readonly userSettings: Option.Option<string>
}

/** What the flags say about a spawn; the rest comes from the pod (apply) and the user's settings. */
export const spawnInputOf = (flags: SpawnFlags): SpawnInput => ({
  user: Option.getOrUndefined(flags.user),
  groups: flags.group.length > 0 ? flags.group : undefined,
  image: Option.getOrUndefined(flags.image),
  size: Option.getOrUndefined(flags.size),
  gpuType: Option.getOrUndefined(flags.gpuType)
})

/** Without a pod (resolve, explain, services) the user must be named. */
export const requireUser = (flags: SpawnFlags): Effect.Effect<SpawnInput, CliFailure> =>
  Option.isNone(flags.user)
    ? Effect.fail(new CliFailure({ text: "no user: name one with --user", code: ExitCode.usage }))
    : Effect.succeed(spawnInputOf(flags))
