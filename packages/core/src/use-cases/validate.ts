import { Effect } from "effect"
import { combineDocuments } from "../decode/configuration.ts"
import { lintDocuments } from "../decode/lint.ts"
import { InvalidDocument } from "../errors/errors.ts"
import { formatWarning, type Warning, warning } from "../errors/warning.ts"
import { ConfigSource, type StoredUserSettings } from "../ports.ts"
import { readUserSettings } from "../user-settings/read.ts"
import type { Ui } from "../config/ui.ts"

/** What `validate` found in a source: counts of what is valid, every problem, every warning. */
export interface ValidationReport {
  readonly where: string
  readonly documents: number
  readonly profiles: number
  readonly sizes: number
  /** Problems that make documents unusable (or pods Kubernetes would reject). */
  readonly errors: ReadonlyArray<InvalidDocument>
  readonly warnings: ReadonlyArray<Warning>
}

// Users' own settings are checked as a spawn reads them: their problems are warnings, never errors.
const userSettingsWarnings = (stored: StoredUserSettings, ui: Ui): ReadonlyArray<Warning> =>
  stored.document instanceof InvalidDocument
    ? stored.document.problems.map((p) => warning(stored.document.source, p.message, p.path))
    : readUserSettings(stored.document.source, stored.document.content, { user: stored.escapedUser, ui, ownSecret: stored.secret }).warnings

const distinct = (warnings: ReadonlyArray<Warning>): ReadonlyArray<Warning> =>
  [...new Map(warnings.map((w) => [formatWarning(w), w])).values()]

/** Checks everything a source holds (SPEC 1): every document, rules across documents, users' settings. */
export const validateSource = Effect.fnUntraced(function*() {
  const inventory = yield* (yield* ConfigSource).inventory
  const lint = lintDocuments(inventory.documents)
  const ui = combineDocuments(inventory.documents).ui
  // Nothing to validate is a failure, not `valid: 0 documents`: the paths or namespace are likely wrong.
  const nothing = inventory.documents.length === 0 && inventory.errors.length === 0
    ? [new InvalidDocument({ source: inventory.where, problems: [{ path: "", message: "no configuration found" }] })]
    : []
  return {
    where: inventory.where,
    documents: inventory.documents.length,
    profiles: inventory.documents.reduce((n, d) => n + (d.document.profiles?.length ?? 0), 0),
    sizes: inventory.documents.reduce((n, d) => n + (d.document.sizes?.length ?? 0), 0),
    errors: [...nothing, ...inventory.errors, ...lint.errors],
    warnings: distinct([...inventory.warnings, ...lint.warnings, ...inventory.userSettings.flatMap((s) => userSettingsWarnings(s, ui))])
  } satisfies ValidationReport
})
