import { type ValidationReport, validateSource } from "@jsp/core"
import { Console, Effect } from "effect"
import { CliFailure, ExitCode } from "./failure.ts"
import { printWarnings, reportErrors } from "./report.ts"
import { configSourceLayer, type SourceFlags } from "./sources.ts"

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

/** Prints warnings and problems; fails with exit code 1 when there is any problem, else prints the summary. */
const print = Effect.fn("print")(function*(report: ValidationReport) {
  yield* printWarnings(report.warnings)
  if (report.errors.length > 0) {
    for (const error of report.errors) yield* Console.error(error.message)
    const count = report.errors.reduce((n, e) => n + e.problems.length, 0)
    return yield* new CliFailure({ text: `${plural(count, "problem")} found`, code: ExitCode.invalid })
  }
  yield* Console.log(`valid: ${plural(report.documents, "document")}, ${plural(report.profiles, "profile")}, ${plural(report.sizes, "size")}`)
})

/** Validates what the source the flags choose holds: files and directories, or the cluster's ConfigMaps as they are now. */
export const validate = (flags: SourceFlags) =>
  validateSource().pipe(Effect.flatMap(print), Effect.provide(configSourceLayer(flags)), reportErrors)
