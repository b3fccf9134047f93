import {
  type ConfigMapNames,
  type DocumentStatus,
  InvalidDocument,
  type SourceUnavailable,
  type Warning,
  warning
} from "@jsp/core"
import { Effect, FileSystem, Option, Result } from "effect"
import { readBoundedText } from "./bounded-read.ts"
import { combineFiles, concatLoaded, documentsOfText, type FileDocuments, type LoadedPath } from "./file-documents.ts"
import { filesOf } from "./files.ts"
import { unreadable } from "./read-errors.ts"

/** Something to tell the operator about a change, logged by whoever polls. */
export interface Note {
  readonly level: "info" | "warning"
  readonly message: string
}

/** What one poll found of one file. */
type Observation =
  | { readonly _tag: "Gone" }
  | { readonly _tag: "Unchanged" }
  | { readonly _tag: "Unreadable"; readonly version: string; readonly error: SourceUnavailable }
  | {
    readonly _tag: "Read"
    readonly version: string
    readonly signature: string | undefined
    readonly text: string | InvalidDocument
    /** Modified less than `racyMs` before the poll: a write may still be under way. */
    readonly recent: boolean
  }

/** A version of a file: when it was last modified (its name is the source). */
interface Version {
  readonly version: string
  readonly documents: FileDocuments
}

/** What is known of one file. */
interface FileState {
  /** The `stat` identity of what was read last; undefined: read again at the next poll. */
  readonly signature: string | undefined
  /** When the version seen last was modified (ISO 8601), or "" when unknown. */
  readonly version: string
  /** The text read last, to tell a real change from a touch or a remount of the same content. */
  readonly text: string | undefined
  /** What was read last, valid or not. */
  readonly latest: FileDocuments | undefined
  /** The last version without problems: what counts. */
  readonly inForce: Version | undefined
  /** Why the file could not be read at the last poll (missing, forbidden, too large). */
  readonly unreadable: SourceUnavailable | undefined
}

/**
 * A modification time this close to the poll may hide a later write within the file system's
 * timestamp granularity (1–4 ms locally, up to 2 s on some network and FAT file systems) that
 * keeps the size: such a file is read again at the next poll.
 */
const racyMs = 2_000

const signatureOf = (info: FileSystem.File.Info): string =>
  `${info.dev}:${Option.getOrElse(info.ino, () => "")}:${info.size}:${Option.match(info.mtime, { onNone: () => "", onSome: (d) => d.getTime() })}`

const versionOf = (info: FileSystem.File.Info): string => Option.match(info.mtime, { onNone: () => "", onSome: (d) => d.toISOString() })

const versionText = (version: string) => version === "" ? "the latest version" : `the version of ${version}`

/** An unreadable file as the problem of its document, for statuses and inventories. */
const asProblem = (error: SourceUnavailable): InvalidDocument =>
  new InvalidDocument({ source: error.source, problems: [{ path: "", message: error.detail }] })

/**
 * The files of some `--config` (or `--templates`) paths as last polled, each file with its last
 * good version (SPEC 1, SPEC 10): a version with problems (not YAML, not valid) or a file that
 * cannot be read keeps the last good one in force, and is reported; a file gone from its directory
 * takes its documents with it. What is in force is combined once per change.
 */
export class WatchedFiles {
  private readonly listings = new Map<string, ReadonlyArray<string>>()
  private readonly pathFailures = new Map<string, SourceUnavailable>()
  private readonly states = new Map<string, FileState>()
  private combined: LoadedPath | undefined
  private failures: ReadonlyArray<SourceUnavailable> = []
  /** Counts changes of anything a status or a warning shows. */
  generation = 0
  readonly paths: ReadonlyArray<string>
  private readonly names: ConfigMapNames
  private readonly rejecting: (file: FileDocuments) => ReadonlyArray<InvalidDocument>

  /** `rejecting` says which problems keep a version out of force (all of them, for configuration). */
  constructor(paths: ReadonlyArray<string>, names: ConfigMapNames, rejecting: (file: FileDocuments) => ReadonlyArray<InvalidDocument>) {
    this.paths = paths
    this.names = names
    this.rejecting = rejecting
  }

  /**
   * Stats every file of every path and reads those that changed, then applies it all at once (so
   * that nobody sees half a poll); what happened is pushed to `notes`.
   */
  poll(notes: Array<Note>) {
    const self = this
    return Effect.gen(function*() {
      const now = Date.now()
      const listings: Array<readonly [string, Result.Result<ReadonlyArray<string>, SourceUnavailable>]> = []
      const seen = new Map<string, Observation>()
      for (const path of self.paths) {
        const listed = yield* Effect.result(filesOf(path))
        listings.push([path, Result.map(listed, (l) => l.files)])
        if (Result.isFailure(listed)) continue
        for (const file of listed.success.files) {
          if (!seen.has(file)) seen.set(file, yield* self.observe(file, listed.success.directory, now))
        }
      }
      self.apply(listings, seen, notes)
    })
  }

  /** Looks at one file: read again if its `stat` changed (or it was not settled, or not readable). */
  private observe(file: string, inDirectory: boolean, now: number) {
    const previous = this.states.get(file)
    return Effect.gen(function*(): Effect.fn.Return<Observation, never, FileSystem.FileSystem> {
      const fs = yield* FileSystem.FileSystem
      const info = yield* Effect.result(fs.stat(file))
      if (Result.isFailure(info)) {
        // Gone between the listing and the stat: an edit of the directory, not an error.
        if (inDirectory && info.failure.reason._tag === "NotFound") return { _tag: "Gone" }
        return { _tag: "Unreadable", version: previous?.version ?? "", error: unreadable(file)(info.failure) }
      }
      const signature = signatureOf(info.success)
      if (previous !== undefined && previous.unreadable === undefined && previous.signature === signature) return { _tag: "Unchanged" }
      const version = versionOf(info.success)
      const read = yield* Effect.result(readBoundedText(file).pipe(Effect.catchTag("InvalidDocument", (e) => Effect.succeed(e))))
      if (Result.isFailure(read)) return { _tag: "Unreadable", version, error: read.failure }
      const recent = Option.match(info.success.mtime, { onNone: () => false, onSome: (d) => now - d.getTime() < racyMs })
      const settled = Option.isSome(info.success.mtime) && !recent
      return { _tag: "Read", version, signature: settled ? signature : undefined, text: read.success, recent }
    })
  }

  private apply(
    listings: ReadonlyArray<readonly [string, Result.Result<ReadonlyArray<string>, SourceUnavailable>]>,
    seen: ReadonlyMap<string, Observation>,
    notes: Array<Note>
  ): void {
    const failures: Array<SourceUnavailable> = []
    const live = new Set<string>()
    for (const [path, listed] of listings) {
      if (Result.isFailure(listed)) {
        failures.push(listed.failure)
        this.pathFailed(path, listed.failure, notes)
        for (const file of this.listings.get(path) ?? []) live.add(file)
      } else {
        this.pathRead(path, listed.success.filter((file) => seen.get(file)?._tag !== "Gone"), notes)
      }
    }
    for (const [file, observed] of seen) {
      if (observed._tag === "Gone") continue
      live.add(file)
      if (observed._tag === "Unreadable") {
        failures.push(observed.error)
        this.unreadable(file, observed.version, observed.error, notes)
      } else if (observed._tag === "Read") {
        this.read(file, observed, notes)
      }
    }
    for (const file of [...this.states.keys()]) if (!live.has(file)) this.removed(file, notes)
    this.failures = failures
  }

  private read(file: string, { version, signature, text, recent }: Extract<Observation, { readonly _tag: "Read" }>, notes: Array<Note>): void {
    const previous = this.states.get(file)
    // Emptied a moment ago: perhaps truncated by a write in place that has not written yet. It
    // counts once a later look still finds it empty after `racyMs`; until then what was in force
    // stays, and it is read again at the next poll. (Without a modification time, nothing tells.)
    if (recent && typeof text === "string" && text.trim() === "" && previous?.text !== undefined && previous.text.trim() !== "") {
      this.states.set(file, { ...previous, signature: undefined })
      return
    }
    const same = typeof text === "string" && previous?.latest !== undefined && previous.text === text
    if (same && previous.unreadable === undefined && previous.version === version) {
      // Read again only to be sure (a recent modification time): nothing changed.
      this.states.set(file, { ...previous, signature })
      return
    }
    const latest = same && previous.latest !== undefined ? previous.latest : documentsOfText(file, text, this.names)
    const problems = this.rejecting(latest)
    const kept = previous?.inForce
    const inForce = problems.length === 0 ? { version, documents: latest } : kept
    this.states.set(file, { signature, version, text: typeof text === "string" ? text : undefined, latest, inForce, unreadable: undefined })
    if (inForce?.documents !== kept?.documents) this.combined = undefined
    this.generation += 1
    if (same && previous.unreadable === undefined) return
    if (problems.length > 0) {
      notes.push({
        level: "warning",
        message: `${problems.map((e) => e.message).join("\n")}\n${file}: ${versionText(version)} rejected; ${kept === undefined ? "no earlier version was valid, so it is not used" : `the last good version (${kept.version}) stays in force`}`
      })
    } else if (previous !== undefined && (previous.unreadable !== undefined || (previous.latest !== undefined && this.rejecting(previous.latest).length > 0))) {
      notes.push({ level: "info", message: `${file}: valid again (${versionText(version)})` })
    }
  }

  private unreadable(file: string, version: string, error: SourceUnavailable, notes: Array<Note>): void {
    const previous = this.states.get(file)
    if (previous?.unreadable?.message !== error.message) {
      const kept = previous?.inForce
      notes.push({
        level: "warning",
        message: `${error.message}\n${file}: not read; ${kept === undefined ? "no earlier version was read, so it is not used" : `the last good version (${kept.version}) stays in force`}`
      })
    }
    this.states.set(file, {
      signature: undefined,
      version,
      text: previous?.text,
      latest: previous?.latest,
      inForce: previous?.inForce,
      unreadable: error
    })
    this.generation += 1
  }

  private removed(file: string, notes: Array<Note>): void {
    const previous = this.states.get(file)
    this.states.delete(file)
    if (previous?.inForce !== undefined) this.combined = undefined
    this.generation += 1
    notes.push({ level: "info", message: `${file}: removed; its documents no longer count` })
  }

  private pathFailed(path: string, error: SourceUnavailable, notes: Array<Note>): void {
    if (this.pathFailures.get(path)?.message !== error.message) {
      notes.push({ level: "warning", message: `${error.message}\n${path}: not read; what was read from it before stays in force` })
    }
    this.pathFailures.set(path, error)
  }

  private pathRead(path: string, files: ReadonlyArray<string>, notes: Array<Note>): void {
    if (this.pathFailures.delete(path)) notes.push({ level: "info", message: `${path}: read again` })
    const previous = this.listings.get(path)
    if (previous === undefined || previous.length !== files.length || previous.some((f, i) => f !== files[i])) {
      this.listings.set(path, files)
      this.combined = undefined
      this.generation += 1
    }
  }

  /** The first path that could not be read at the last poll. */
  pathFailure(): SourceUnavailable | undefined {
    return this.pathFailures.values().next().value
  }

  /** What could not be read at the last poll (paths and files). */
  lastFailures(): ReadonlyArray<SourceUnavailable> {
    return this.failures
  }

  /** The versions in force of every path, combined: the same object until one of them changes. */
  loaded(): LoadedPath {
    if (this.combined !== undefined) return this.combined
    this.combined = concatLoaded(this.paths.map((path) =>
      combineFiles((this.listings.get(path) ?? []).flatMap((file) => this.states.get(file)?.inForce?.documents ?? []), this.names)))
    return this.combined
  }

  private rejection(state: FileState): ReadonlyArray<InvalidDocument> {
    if (state.unreadable !== undefined) return [asProblem(state.unreadable)]
    return state.latest === undefined ? [] : this.rejecting(state.latest)
  }

  /** Every problem of the latest version of every file (what keeps it out of force). */
  problems(): ReadonlyArray<InvalidDocument> {
    return [...this.states.values()].flatMap((state) => this.rejection(state))
  }

  /** A warning for each file whose latest version is not in force. */
  rejectionWarnings(): ReadonlyArray<Warning> {
    return [...this.states.entries()].flatMap(([file, state]): ReadonlyArray<Warning> => {
      if (this.rejection(state).length === 0) return []
      const what = state.unreadable === undefined ? `${versionText(state.version)} is invalid` : `could not be read (${state.unreadable.detail})`
      return [warning(file, `${what}; ${state.inForce === undefined ? "skipped" : `the version of ${state.inForce.version} stays in force`}`)]
    })
  }

  /** Each file: the version seen last, the version in force when it is an earlier one, and why the latest is not. */
  statuses(): ReadonlyArray<DocumentStatus> {
    return [...this.states.entries()].map(([file, state]) => {
      const rejected = this.rejection(state)
      return {
        source: file,
        ...(state.version === "" ? {} : { version: state.version }),
        ...(state.inForce !== undefined && state.inForce.version !== state.version ? { inForce: state.inForce.version } : {}),
        ...(rejected.length === 0 ? {} : { rejected })
      }
    })
  }
}
