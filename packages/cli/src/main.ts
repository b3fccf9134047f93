#!/usr/bin/env node
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Effect, Runtime } from "effect"
import { watchPackageManagerChain } from "./launcher-watch.ts"
import { runJsp } from "./run.ts"
import { serveState } from "./serve-command.ts"

// Under `npx pnpm exec jsp`, SIGTERM to npx does not reach this process: end when npx is gone.
watchPackageManagerChain()
NodeRuntime.runMain(runJsp(process.argv.slice(2)).pipe(
  Effect.flatMap((code) => Effect.sync(() => { process.exitCode = code })),
  Effect.provide(NodeServices.layer)
), {
  disableErrorReporting: true,
  // SIGTERM or SIGINT is how `jsp serve` is meant to end: once drained, that is success.
  teardown: (exit, onExit) => Runtime.defaultTeardown(exit, (code) => onExit(code === 130 && serveState.stoppedBySignal ? 0 : code))
})
