#!/usr/bin/env node
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Effect } from "effect"
import { watchPackageManagerChain } from "./launcher-watch.ts"
import { runJsp } from "./run.ts"

// Under `npx pnpm exec jsp`, SIGTERM to npx does not reach this process: end when npx is gone.
watchPackageManagerChain()
NodeRuntime.runMain(runJsp(process.argv.slice(2)).pipe(
  Effect.flatMap((code) => Effect.sync(() => { process.exitCode = code })),
  Effect.provide(NodeServices.layer)
), { disableErrorReporting: true })
