import { mkdtempSync, renameSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ConfigSource, type SourceStatus } from "@jsp/core"
import { Context, Effect, Exit, FileSystem, Layer, Logger, Option, Scope } from "effect"
import { FileConfigSource, type FileSourceOptions, maxFileBytes } from "../src/index.ts"

const intervalMs = 20

const directory = (files: Record<string, string>): string => {
  const root = mkdtempSync(join(tmpdir(), "jsp-watch-"))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text)
  return root
}

const logsTo = (lines: Array<string>) =>
  Logger.layer([Logger.make(({ logLevel, message }) => {
    lines.push(`${logLevel}: ${(Array.isArray(message) ? message : [message]).map(String).join(" ")}`)
  })])

const watching = (options: FileSourceOptions, lines: Array<string> = []) =>
  FileConfigSource({ ...options, watch: { intervalMs } }).pipe(Layer.provide([NodeServices.layer, logsTo(lines)]))

/** The source of a layer built in the test's scope. */
const build = <E>(layer: Layer.Layer<ConfigSource, E>) => Effect.map(Layer.build(layer), (context) => Context.get(context, ConfigSource))

/** Waits until `check` holds of what `read` gives, failing after a generous limit (polls are asynchronous). */
const eventually = <A, E>(what: string, read: Effect.Effect<A, E>, check: (value: A) => boolean, limitMs = 5_000) =>
  Effect.gen(function*() {
    const end = Date.now() + limitMs
    for (;;) {
      const value = yield* read
      if (check(value)) return value
      if (Date.now() > end) return yield* Effect.die(new Error(`${what}: not reached in ${limitMs} ms; last seen ${JSON.stringify(value)}`))
      yield* Effect.sleep(10)
    }
  })

const profileNames = (source: ConfigSource["Service"]) =>
  Effect.map(source.configuration, ({ configuration }) => configuration.profiles.map((p) => p.name))

const sameNames = (expected: ReadonlyArray<string>) => (names: ReadonlyArray<string>) => names.join() === expected.join()

const statusOf = (status: SourceStatus, file: string) => status.documents.find((d) => d.source === file)

/** Several polls' time: long enough for a poll to have run more than once. */
const afterPolls = Effect.sleep(intervalMs * 10)

describe("the watching file source (jsp serve --config)", () => {
  it.live("an edit is seen; an invalid one keeps the last good version, reported once; fixed, the new one counts", () => Effect.gen(function*() {
    const root = directory({ "a.yaml": "profiles: [{ name: a1 }]\n", "b.yaml": "profiles: [{ name: b }]\n" })
    const a = join(root, "a.yaml")
    const lines: Array<string> = []
    const source = yield* build(watching({ paths: [root] }, lines))
    assert.deepStrictEqual(yield* profileNames(source), ["a1", "b"])
    const first = yield* source.configuration
    // Combined once per version: every spawn shares its caches.
    assert.strictEqual((yield* source.configuration).configuration, first.configuration)
    const started = yield* source.status
    assert.isTrue(started.synced)
    assert.strictEqual(started.restarts, 0)
    assert.isUndefined(started.lastError)
    assert.deepStrictEqual(started.documents.map((d) => [d.source, d.rejected]), [[a, undefined], [join(root, "b.yaml"), undefined]])

    // Same size, same inode: only the content changes.
    writeFileSync(a, "profiles: [{ name: a2 }]\n")
    yield* eventually("edit seen", profileNames(source), sameNames(["a2", "b"]))
    const edited = yield* source.configuration
    assert.notStrictEqual(edited.configuration, first.configuration)
    const goodVersion = statusOf(yield* source.status, a)?.version
    assert.isString(goodVersion)

    writeFileSync(a, "profiles: [{ name: a3, gpu: -1 }]\n")
    const rejected = yield* eventually("rejection reported", source.status, (s) => statusOf(s, a)?.rejected !== undefined)
    const aStatus = statusOf(rejected, a)
    assert.strictEqual(aStatus?.inForce, goodVersion)
    assert.deepStrictEqual(aStatus?.rejected?.map((e) => e.message),
      [`${a}: profiles[0].gpu: expected a value greater than or equal to 0, got -1`])
    assert.isTrue(rejected.synced)
    yield* afterPolls
    const kept = yield* source.configuration
    assert.deepStrictEqual(kept.configuration.profiles.map((p) => p.name), ["a2", "b"])
    assert.strictEqual(kept.configuration, edited.configuration)
    assert.deepStrictEqual(kept.warnings.map((w) => w.message), [`the version of ${aStatus?.version} is invalid; the version of ${goodVersion} stays in force`])
    const rejections = lines.filter((line) => line.includes(`${a}: the version of`) && line.includes("rejected"))
    assert.strictEqual(rejections.length, 1)
    assert.match(rejections[0] ?? "", /^Warn: .*gpu: expected a value greater than or equal to 0, got -1\n.*the last good version \(.*\) stays in force$/u)
    const inventory = yield* source.inventory
    assert.deepStrictEqual(inventory.errors.map((e) => e.source), [a])

    // Not YAML at all: the same.
    writeFileSync(a, "profiles: [\n")
    yield* eventually("syntax error reported", source.status,
      (s) => statusOf(s, a)?.rejected?.some((e) => /line \d+, column \d+/u.test(e.message)) === true)
    assert.deepStrictEqual(yield* profileNames(source), ["a2", "b"])

    writeFileSync(a, "profiles: [{ name: a4 }]\n")
    yield* eventually("fixed", profileNames(source), sameNames(["a4", "b"]))
    const fixed = yield* source.status
    assert.isUndefined(statusOf(fixed, a)?.rejected)
    assert.isUndefined(statusOf(fixed, a)?.inForce)
    assert.deepStrictEqual((yield* source.configuration).warnings, [])
    assert.isTrue(lines.some((line) => line.startsWith(`Info: ${a}: valid again`)))
  }))

  it.live("an edit keeping size, inode and modification time (coarse timestamps) is seen while that time is recent", () => Effect.gen(function*() {
    const root = directory({ "a.yaml": "profiles: [{ name: a1 }]\n" })
    const a = join(root, "a.yaml")
    const modified = new Date()
    utimesSync(a, modified, modified)
    const source = yield* build(watching({ paths: [a] }))
    const before = statSync(a)
    writeFileSync(a, "profiles: [{ name: a2 }]\n")
    utimesSync(a, modified, modified)
    const after = statSync(a)
    assert.deepStrictEqual([after.ino, after.size, after.mtimeMs], [before.ino, before.size, before.mtimeMs])
    yield* eventually("edit seen", profileNames(source), sameNames(["a2"]))
  }))

  it.live("a file emptied a moment ago (a write in place, truncated first) keeps what it held; emptied for good, its documents go", () => Effect.gen(function*() {
    const root = directory({ "a.yaml": "profiles: [{ name: a1 }]\n", "b.yaml": "profiles: [{ name: b }]\n" })
    const a = join(root, "a.yaml")
    const source = yield* build(watching({ paths: [root] }))
    writeFileSync(a, "")
    yield* afterPolls
    assert.deepStrictEqual(yield* profileNames(source), ["a1", "b"])
    writeFileSync(a, "profiles: [{ name: a2 }]\n")
    yield* eventually("the written version", profileNames(source), sameNames(["a2", "b"]))
    // Empty since long enough that no write can be under way.
    writeFileSync(a, "\n")
    const past = new Date(Date.now() - 10_000)
    utimesSync(a, past, past)
    yield* eventually("the emptied file", profileNames(source), sameNames(["b"]))
  }))

  it.live("a file added to a directory counts, a removed one no longer does; users' settings stay the same object", () => Effect.gen(function*() {
    const root = directory({
      "a.yaml": "profiles: [{ name: a }]\n",
      "alice.yaml": "kind: ConfigMap\napiVersion: v1\nmetadata: { name: jupyterhub-singleuser-profile-alice }\ndata: { profile: 'last_selected_size: Small' }\n"
    })
    const templates = directory({ "t.yaml": "kind: ConfigMap\napiVersion: v1\nmetadata: { name: tmpl }\ndata: { x: one }\n" })
    const source = yield* build(watching({ paths: [root], templates: [templates] }))
    const alice = yield* source.userSettings("alice")
    assert.deepStrictEqual(Option.map(alice, (d) => d.content), Option.some({ last_selected_size: "Small" }))

    writeFileSync(join(root, "c.yaml"), "profiles: [{ name: c }]\n")
    yield* eventually("file added", profileNames(source), sameNames(["a", "c"]))
    // Another file changed: the user's document is the very same object.
    assert.strictEqual(Option.getOrThrow(yield* source.userSettings("alice")), Option.getOrThrow(alice))

    rmSync(join(root, "c.yaml"))
    yield* eventually("file removed", profileNames(source), sameNames(["a"]))
    const status = yield* source.status
    assert.isTrue(status.synced)
    assert.isUndefined(statusOf(status, join(root, "c.yaml")))

    rmSync(join(root, "alice.yaml"))
    yield* eventually("settings removed", source.userSettings("alice"), Option.isNone)

    const key = Effect.map(source.configMapKey("tmpl", "x"), Option.map((d) => d.text))
    assert.deepStrictEqual(yield* key, Option.some("one"))
    writeFileSync(join(templates, "t.yaml"), "kind: ConfigMap\napiVersion: v1\nmetadata: { name: tmpl }\ndata: { x: two }\n")
    yield* eventually("template edited", key, (k) => Option.getOrUndefined(k) === "two")
  }))

  it.live("a file that cannot be read keeps its last good version; the status says why until it can be read", () => Effect.gen(function*() {
    const root = directory({ "a.yaml": "profiles: [{ name: a1 }]\n" })
    const a = join(root, "a.yaml")
    const source = yield* build(watching({ paths: [root] }))
    truncateSync(a, maxFileBytes + 1)
    const failing = yield* eventually("read failure reported", source.status, (s) => !s.synced)
    assert.strictEqual(failing.lastError?._tag, "SourceUnavailable")
    assert.strictEqual(failing.lastError?.source, a)
    assert.match(failing.lastError?.message ?? "", /larger than the 8 MiB jsp reads of one input/u)
    assert.match(statusOf(failing, a)?.rejected?.[0]?.message ?? "", /larger than the 8 MiB/u)
    yield* afterPolls
    assert.deepStrictEqual(yield* profileNames(source), ["a1"])

    writeFileSync(a, "profiles: [{ name: a2 }]\n")
    yield* eventually("readable again", profileNames(source), sameNames(["a2"]))
    const recovered = yield* source.status
    assert.isTrue(recovered.synced)
    assert.isUndefined(recovered.lastError)
  }))

  it.live("a --config path that cannot be read fails at start; gone later, what was read from it stays in force", () => Effect.gen(function*() {
    const root = directory({ "a.yaml": "profiles: [{ name: a1 }]\n" })
    const missing = yield* Effect.flip(build(watching({ paths: [join(root, "nope.yaml")] })))
    assert.strictEqual(missing._tag, "SourceUnavailable")
    assert.strictEqual(missing.message, `${join(root, "nope.yaml")}: no such file or directory`)

    const a = join(root, "a.yaml")
    const source = yield* build(watching({ paths: [a] }))
    // An editor that moves the file away before writing the new one.
    renameSync(a, join(root, "a.yaml~"))
    const gone = yield* eventually("path failure reported", source.status, (s) => !s.synced)
    assert.strictEqual(gone.lastError?.message, `${a}: no such file or directory`)
    assert.deepStrictEqual(yield* profileNames(source), ["a1"])
    writeFileSync(a, "profiles: [{ name: a2 }]\n")
    yield* eventually("path back", profileNames(source), sameNames(["a2"]))
    assert.isTrue((yield* source.status).synced)
  }))

  it.live("closing the layer's scope stops the polling: no file is looked at again", () => Effect.gen(function*() {
    const root = directory({ "a.yaml": "profiles: [{ name: a }]\n" })
    let stats = 0
    const counting = Layer.effect(FileSystem.FileSystem, Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      return FileSystem.FileSystem.of({
        ...fs,
        stat: (path) => {
          stats += 1
          return fs.stat(path)
        }
      })
    })).pipe(Layer.provide(NodeServices.layer))
    const layer = FileConfigSource({ paths: [root], watch: { intervalMs } }).pipe(Layer.provide(counting), Layer.provide(NodeServices.layer))
    const scope = yield* Scope.make()
    const source = Context.get(yield* Layer.buildWithScope(layer, scope), ConfigSource)
    yield* eventually("polling", Effect.sync(() => stats), (n) => n > 10)
    yield* Scope.close(scope, Exit.void)
    const atClose = stats
    writeFileSync(join(root, "a.yaml"), "profiles: [{ name: changed }]\n")
    yield* afterPolls
    assert.strictEqual(stats, atClose)
    assert.deepStrictEqual(yield* profileNames(source), ["a"])
  }))
})
