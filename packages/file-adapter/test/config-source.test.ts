import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, mkdirSync, symlinkSync, truncateSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ConfigSource, loadConfiguration } from "@jsp/core"
import { Effect, Layer, Option, Result } from "effect"
import { decodeUtf8, FileConfigSource, type FileSourceOptions, loadPath, maxFileBytes, readBoundedStream, readBoundedText } from "../src/index.ts"

const tree = (files: Record<string, string>): string => {
  const root = mkdtempSync(join(tmpdir(), "jsp-files-"))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, ".."), { recursive: true })
    writeFileSync(join(root, name), text)
  }
  return root
}

const configMap = (name: string, document: string, labels: Record<string, string> = {}, key = "jupyterhub-singleuser-profiles.yaml") => [
  "kind: ConfigMap",
  "apiVersion: v1",
  "metadata:",
  `  name: ${name}`,
  ...(Object.keys(labels).length === 0 ? [] : ["  labels:", ...Object.entries(labels).map(([k, v]) => `    ${k}: "${v}"`)]),
  "data:",
  `  ${key}: |`,
  ...document.split("\n").map((line) => `    ${line}`)
].join("\n")

const labelled = { "jupyterhub.opendatahub.io/user": "profile" }
const source = (options: FileSourceOptions) => FileConfigSource(options).pipe(Layer.provide(NodeServices.layer))
const profileNames = (options: FileSourceOptions) =>
  loadConfiguration().pipe(Effect.map(({ configuration, warnings }) => ({ names: configuration.profiles.map((p) => p.name), warnings })), Effect.provide(source(options)))

describe("the file source (SPEC 1, File)", () => {
  it.effect("reads a raw document, naming the file as its source", () => Effect.gen(function*() {
    const root = tree({ "profiles.yaml": "profiles: [{ name: a }]\n" })
    const loaded = yield* loadConfiguration().pipe(Effect.provide(source({ paths: [join(root, "profiles.yaml")] })))
    assert.deepStrictEqual(loaded.configuration.profiles.map((p) => [p.name, p.source]), [["a", join(root, "profiles.yaml")]])
  }))

  it.effect("orders ConfigMaps like the cluster: the named one, then the labelled ones by name", () => Effect.gen(function*() {
    const root = tree({
      "all.yaml": [
        configMap("zz-extra", "profiles: [{ name: z }]", labelled),
        configMap("unrelated", "profiles: [{ name: never }]"),
        configMap("aa-extra", "profiles: [{ name: a }]", labelled),
        configMap("jupyter-singleuser-profiles", "profiles: [{ name: main }]"),
        configMap("no-key", "x: 1", labelled, "other.yaml"),
        "kind: Secret\napiVersion: v1\nmetadata: { name: s }"
      ].join("\n---\n")
    })
    const { names, warnings } = yield* profileNames({ paths: [join(root, "all.yaml")] })
    assert.deepStrictEqual(names, ["main", "a", "z"])
    assert.deepStrictEqual(warnings, [
      { source: join(root, "all.yaml"), message: "Secret is not a ConfigMap; skipped" },
      { source: join(root, "all.yaml"), message: "ConfigMap no-key has no key jupyterhub-singleuser-profiles.yaml; skipped" }
    ])
  }))

  it.effect("a directory of ConfigMap manifests behaves exactly like a v1/List of them", () => Effect.gen(function*() {
    const cms = [
      configMap("b-profiles", "profiles: [{ name: b }]", labelled),
      configMap("jupyter-singleuser-profiles", "profiles: [{ name: main }]"),
      configMap("a-profiles", "profiles: [{ name: a }]", labelled)
    ]
    const dir = tree({ "1.yaml": cms[0] ?? "", "2.yml": cms[1] ?? "", "3.json.txt": "ignored", "sub/4.yaml": cms[2] ?? "" })
    const list = tree({
      "list.yaml": `apiVersion: v1\nkind: List\nitems:\n${cms.map((cm) => `  - ${cm.split("\n").join("\n    ")}`).join("\n")}\n`
    })
    const fromDir = yield* profileNames({ paths: [dir] })
    const fromList = yield* profileNames({ paths: [join(list, "list.yaml")] })
    assert.deepStrictEqual(fromDir.names, ["main", "b"])
    assert.deepStrictEqual(fromList.names, ["main", "a", "b"])
    const withSub = yield* profileNames({ paths: [dir, join(dir, "sub")] })
    assert.deepStrictEqual(withSub.names, ["main", "b", "a"])
  }))

  it.effect("raw documents come first, in file order; several paths in the order given", () => Effect.gen(function*() {
    const root = tree({
      "b.yaml": "profiles: [{ name: raw-b }]",
      "a.yaml": configMap("jupyter-singleuser-profiles", "profiles: [{ name: main }]"),
      "c.json": "{\"profiles\": [{\"name\": \"raw-c\"}]}",
      "later/override.yaml": "profiles: [{ name: later }]"
    })
    const { names } = yield* profileNames({ paths: [root, join(root, "later")] })
    assert.deepStrictEqual(names, ["raw-b", "raw-c", "main", "later"])
  }))

  it.effect("collects every problem of every file: YAML syntax with line and column, field paths", () => Effect.gen(function*() {
    const root = tree({
      "1-syntax.yaml": "profiles:\n  - name: a\n   users: [x\n",
      "2-fields.yaml": configMap("jupyter-singleuser-profiles", "profiles:\n  - name: a\n    gpu: -1"),
      "3-fine.yaml": "profiles: []"
    })
    const error = yield* Effect.flip(loadConfiguration().pipe(Effect.provide(source({ paths: [root] }))))
    assert.strictEqual(error._tag, "InvalidConfiguration")
    const lines = error.message.split("\n")
    assert.match(lines[0] ?? "", /1-syntax\.yaml: line 3, column \d+: /u)
    assert.strictEqual(lines.at(-1), `${join(root, "2-fields.yaml")}: ConfigMap jupyter-singleuser-profiles key jupyterhub-singleuser-profiles.yaml: profiles[0].gpu: expected a value greater than or equal to 0, got -1`)
  }))

  it.effect("a missing path is SourceUnavailable naming it", () => Effect.gen(function*() {
    const error = yield* Effect.flip(loadConfiguration().pipe(Effect.provide(source({ paths: ["/nonexistent/jsp.yaml"] }))))
    assert.strictEqual(error._tag, "SourceUnavailable")
    assert.match(error.message, /^\/nonexistent\/jsp\.yaml: /u)
  }))

  it.effect("finds a user's settings by the per-user ConfigMap name; none is not an error", () => Effect.gen(function*() {
    const root = tree({
      "profiles.yaml": configMap("jupyter-singleuser-profiles", "profiles: []"),
      "alice.yaml": configMap("jupyterhub-singleuser-profile-alice", "last_selected_size: Small", {}, "profile")
    })
    const settings = (user: string) => ConfigSource.use((s) => s.userSettings(user)).pipe(Effect.provide(source({ paths: [root] })))
    const alice = yield* settings("alice")
    assert.deepStrictEqual(Option.map(alice, (d) => d.content), Option.some({ last_selected_size: "Small" }))
    assert.strictEqual(Option.getOrThrow(alice).source, `${join(root, "alice.yaml")}: ConfigMap jupyterhub-singleuser-profile-alice key profile`)
    assert.isTrue(Option.isNone(yield* settings("carol")))
  }))

  it.effect("an explicit user-settings file is read whatever it is called", () => Effect.gen(function*() {
    const root = tree({
      "raw.yaml": "gpu: 1\n",
      "cm.yaml": configMap("whatever", "last_selected_image: x:1", {}, "profile")
    })
    const read = (file: string) => ConfigSource.use((s) => s.userSettings("alice")).pipe(
      Effect.provide(source({ paths: [], userSettingsFile: join(root, file) })))
    assert.deepStrictEqual(Option.map(yield* read("raw.yaml"), (d) => d.content), Option.some({ gpu: 1 }))
    assert.deepStrictEqual(Option.map(yield* read("cm.yaml"), (d) => d.content), Option.some({ last_selected_image: "x:1" }))
  }))
})

const fifo = (path: string) => {
  const made = spawnSync("mkfifo", [path])
  if (made.status !== 0) throw new Error(`mkfifo ${path}: ${String(made.stderr)}`)
}
const loadError = (paths: ReadonlyArray<string>) => Effect.flip(loadConfiguration().pipe(Effect.provide(source({ paths }))))

describe("bounded input: regular files only, at most maxFileBytes, strict UTF-8", () => {
  it.effect("a FIFO, given directly or found in a directory, is refused naming it, without waiting for a writer", () => Effect.gen(function*() {
    const root = tree({ "a.yaml": "profiles: []\n" })
    fifo(join(root, "b.yaml"))
    for (const path of [join(root, "b.yaml"), root]) {
      const error = yield* loadError([path])
      assert.strictEqual(error._tag, "SourceUnavailable")
      assert.strictEqual(error.message, `${join(root, "b.yaml")}: is a FIFO (named pipe), not a regular file; only regular files are read`)
    }
  }))

  it.effect("a device (/dev/zero) or a socket is refused without being read", () => Effect.gen(function*() {
    const error = yield* loadError(["/dev/zero"])
    assert.strictEqual(error.message, "/dev/zero: is a character device, not a regular file; only regular files are read")
    const user = yield* Effect.flip(ConfigSource.use((s) => s.userSettings("alice")).pipe(Effect.provide(source({ paths: [], userSettingsFile: "/dev/zero" }))))
    assert.strictEqual(user.message, "/dev/zero: is a character device, not a regular file; only regular files are read")
    const socket = join(tree({}), "s.yaml")
    const server = createServer()
    yield* Effect.callback<void>((resume) => void server.listen(socket, () => resume(Effect.void)))
    const fromSocket = yield* loadError([socket]).pipe(Effect.ensuring(Effect.callback<void>((resume) => void server.close(() => resume(Effect.void)))))
    assert.strictEqual(fromSocket.message, `${socket}: is a socket, not a regular file; only regular files are read`)
  }))

  it.effect(`a file over ${maxFileBytes / 1024 / 1024} MiB is refused before it is read, with its size`, () => Effect.gen(function*() {
    assert.strictEqual(maxFileBytes, 8 * 1024 * 1024)
    const root = tree({})
    const big = join(root, "big.yaml")
    writeFileSync(big, "")
    truncateSync(big, 64 * 1024 * 1024 * 1024) // sparse: reading it whole would take minutes and 64 GiB
    const error = yield* loadError([root])
    assert.strictEqual(error._tag, "SourceUnavailable")
    assert.strictEqual(error.message,
      `${big}: 65536 MiB (68719476736 bytes), larger than the 8 MiB jsp reads of one input (a ConfigMap holds at most 1 MiB); not read`)
    writeFileSync(big, `profiles: []\n${" ".repeat(maxFileBytes - 13)}`)
    assert.deepStrictEqual((yield* loadPath(big)).errors, [])
  }).pipe(Effect.provide(NodeServices.layer)))

  it.effect.skipIf(!existsSync("/proc/self/status"))("a file holding more than its size says (as in /proc) stops at the bound", () => Effect.gen(function*() {
    const error = yield* Effect.flip(readBoundedText("/proc/self/status", 16))
    assert.strictEqual(error._tag, "SourceUnavailable")
    assert.match(error.message, /^\/proc\/self\/status: holds more than its size said, past the 0\.0 MiB jsp reads/u)
    assert.match(yield* readBoundedText("/proc/self/status"), /^Name:/u)
  }).pipe(Effect.provide(NodeServices.layer)))

  it.effect("directories are not recursed into: a symbolic link to a directory, or a loop of them, is never followed", () => Effect.gen(function*() {
    const root = tree({ "a.yaml": "profiles: [{ name: a }]\n", "sub/b.yaml": "profiles: [{ name: b }]\n" })
    symlinkSync(root, join(root, "sub", "up"))
    symlinkSync(".", join(root, "self"))
    symlinkSync(join(root, "sub"), join(root, "linked"))
    assert.deepStrictEqual((yield* profileNames({ paths: [root] })).names, ["a"])
    // Named like a document, a directory is refused, not read.
    symlinkSync(".", join(root, "here.yaml"))
    assert.strictEqual((yield* loadError([root])).message,
      `${join(root, "here.yaml")}: is a directory, not a regular file; only regular files are read (directories inside a configuration directory are not read)`)
  }))

  it.effect("a symbolic link to a file is read (ConfigMap volumes are links); a link loop is refused naming it", () => Effect.gen(function*() {
    const root = tree({ "data/a.yaml": "profiles: [{ name: a }]\n" })
    const dir = join(root, "mounted")
    mkdirSync(dir)
    symlinkSync(join(root, "data", "a.yaml"), join(dir, "a.yaml"))
    assert.deepStrictEqual((yield* profileNames({ paths: [dir] })).names, ["a"])
    symlinkSync("loop.yaml", join(dir, "loop.yaml"))
    assert.strictEqual((yield* loadError([dir])).message, `${join(dir, "loop.yaml")}: too many levels of symbolic links (a symbolic link loop)`)
  }))

  it.effect("invalid UTF-8 is a problem of the document with line, column and byte offset, reported with the others", () => Effect.gen(function*() {
    const root = tree({ "b.yaml": "profiles:\n  - name: [x\n" })
    writeFileSync(join(root, "a.yaml"), Buffer.from([...Buffer.from("profiles:\n  - name: caf"), 0xe9, ...Buffer.from("\n")]))
    const error = yield* loadError([root])
    assert.strictEqual(error._tag, "InvalidConfiguration")
    const lines = error.message.split("\n")
    assert.strictEqual(lines[0], `${join(root, "a.yaml")}: line 2, column 14: not valid UTF-8: byte 0xe9 at byte offset 23`)
    assert.match(lines[1] ?? "", /b\.yaml: line \d+, column \d+: /u)
  }))

  it("strict UTF-8: overlong forms, surrogates and truncated sequences are refused; a byte order mark is dropped", () => {
    const problem = (bytes: ReadonlyArray<number>) => {
      const result = decodeUtf8("x", Uint8Array.from(bytes))
      return Result.isFailure(result) ? result.failure.message : `decoded ${JSON.stringify(result.success)}`
    }
    assert.strictEqual(problem([0x61, 0xc0, 0xaf]), "x: line 1, column 2: not valid UTF-8: byte 0xc0 at byte offset 1")
    assert.strictEqual(problem([0x61, 0x0a, 0x62, 0xed, 0xa0, 0x80]), "x: line 2, column 2: not valid UTF-8: byte 0xed at byte offset 3")
    assert.strictEqual(problem([0xe2, 0x82, 0xac, 0xe2, 0x82]), "x: line 1, column 2: not valid UTF-8: byte 0xe2 at byte offset 3")
    assert.strictEqual(problem([0xff, 0xfe, 0x61, 0x00]), "x: line 1, column 1: not valid UTF-8: byte 0xff at byte offset 0 (the file looks like UTF-16; save it as UTF-8)")
    assert.strictEqual(problem([0xef, 0xbb, 0xbf, 0x61, 0xe2, 0x82, 0xac]), "decoded \"a€\"")
  })

  it.effect("a stream (standard input) is read up to the bound, then closed: it never grows past it", () => Effect.gen(function*() {
    let produced = 0
    let closed = false
    const endless = async function*() {
      try {
        for (;;) {
          produced += 1
          yield new Uint8Array(64 * 1024)
        }
      } finally {
        closed = true
      }
    }
    const error = yield* Effect.flip(readBoundedStream("<stdin>", endless()))
    assert.strictEqual(error.message, "<stdin>: more than the 8 MiB jsp reads of one input (a ConfigMap holds at most 1 MiB); stopped reading")
    assert.isTrue(closed)
    assert.strictEqual(produced, maxFileBytes / (64 * 1024) + 1)
    const small = async function*() {
      yield "a: "
      yield new TextEncoder().encode("1\n")
    }
    assert.strictEqual(yield* readBoundedStream("<stdin>", small()), "a: 1\n")
  }))
})
