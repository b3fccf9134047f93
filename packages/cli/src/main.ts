#!/usr/bin/env node
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Effect } from "effect"
import { runJsp } from "./run.ts"

NodeRuntime.runMain(runJsp(process.argv.slice(2)).pipe(
  Effect.flatMap((code) => Effect.sync(() => { process.exitCode = code })),
  Effect.provide(NodeServices.layer)
), { disableErrorReporting: true })
