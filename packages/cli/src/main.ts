#!/usr/bin/env node
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Cause, Console, Effect } from "effect"
import { CliError, Command } from "effect/cli"
import { jsp } from "./commands.ts"
import { CliFailure, ExitCode } from "./failure.ts"
import { watchPackageManagerChain } from "./launcher-watch.ts"

const verbose = process.argv.includes("--verbose")

const describe = (failure: unknown): { readonly lines: ReadonlyArray<string>; readonly code: number } => {
  if (failure instanceof CliFailure) return { lines: [failure.text], code: failure.code }
  if (failure instanceof CliError.ShowHelp) {
    const help = `see '${failure.commandPath.join(" ")} --help'`
    return failure.errors.length === 0
      ? { lines: [], code: 0 }
      : { lines: failure.errors.map((e) => `${e.message} (${help})`), code: ExitCode.usage }
  }
  if (failure instanceof Error) return { lines: [failure.message], code: ExitCode.usage }
  return { lines: [String(failure)], code: ExitCode.usage }
}

// One line a person can act on, on stderr, and an exit code; the stack trace only with --verbose.
const program = Command.run(jsp, { version: "0.1.0", renderErrors: false }).pipe(
  Effect.catchCause((cause) => {
    const failure = cause.reasons.find(Cause.isFailReason)
    const { lines, code } = failure === undefined
      ? { lines: [`internal error: ${Cause.pretty(cause).split("\n")[0] ?? "unknown"} (run with --verbose for details)`], code: 70 }
      : describe(failure.error)
    return Effect.gen(function*() {
      for (const line of lines) yield* Console.error(`jsp: ${line}`)
      if (verbose) yield* Console.error(Cause.pretty(cause))
      yield* Effect.sync(() => { process.exitCode = code })
    })
  }),
  Effect.provide(NodeServices.layer)
)

// Under `npx pnpm exec jsp`, SIGTERM to npx does not reach this process: end when npx is gone.
watchPackageManagerChain()
NodeRuntime.runMain(program, { disableErrorReporting: true })
