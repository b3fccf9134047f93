import { Effect, FileSystem, Logger, Option, References } from "effect"
import { Command, Flag } from "effect/cli"
import { CliFailure, ExitCode } from "./failure.ts"
import { keepHeapCompact, heapCompactor } from "./heap-compaction.ts"
import { LogLevelFlag } from "./logger.ts"
import { reportErrors } from "./report.ts"
import { serveLayer } from "./serve-layers.ts"
import { imageStreamsFlag, nonEmpty, sourceFlags } from "./spawn-flags.ts"

const usage = (text: string) => new CliFailure({ text, code: ExitCode.usage })

/** The hub's token for the spawner API: the file's content without surrounding whitespace. */
const readToken = (file: string) => Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const text = yield* fs.readFileString(file).pipe(Effect.mapError((error) =>
    new CliFailure({ text: `--api-token-file ${file}: ${error.message}`, code: ExitCode.unavailable, cause: error })))
  const token = text.trim()
  if (token.length < 16) return yield* usage(`--api-token-file ${file}: the token must be at least 16 characters`)
  return token
})

const readable = (flag: string, file: string) => Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  yield* fs.access(file, { readable: true }).pipe(Effect.mapError((error) =>
    new CliFailure({ text: `${flag} ${file}: ${error.message}`, code: ExitCode.unavailable, cause: error })))
})

/** Whether `jsp serve` was stopped by a signal after draining: its clean end, exit code 0 (see main.ts). */
export const serveState = { stoppedBySignal: false }

/** `jsp serve`: the webhook, the spawner API and the form on one HTTPS port. */
export const serve = Command.make("serve", {
  ...sourceFlags,
  imageStreams: imageStreamsFlag,
  tlsCert: nonEmpty(Flag.String("tls-cert")).pipe(Flag.withMetavar("FILE"), Flag.withDescription("Certificate chain (PEM) the server presents; reloaded when it changes")),
  tlsKey: nonEmpty(Flag.String("tls-key")).pipe(Flag.withMetavar("FILE"), Flag.withDescription("Private key (PEM) of the certificate; reloaded when it changes")),
  host: nonEmpty(Flag.String("host")).pipe(Flag.withDefault("0.0.0.0"), Flag.withMetavar("ADDR"), Flag.withDescription("Address to listen on (default 0.0.0.0)")),
  port: Flag.Int("port").pipe(Flag.withDefault(8443), Flag.withMetavar("N"), Flag.withDescription("HTTPS port for every path (default 8443; 0 picks a free one)")),
  apiTokenFile: nonEmpty(Flag.String("api-token-file")).pipe(Flag.optional, Flag.withMetavar("FILE"),
    Flag.withDescription("The hub's token: every /api and /form request must send Authorization: Bearer <it>; without it, writes are refused")),
  failClosed: Flag.Boolean("fail-closed").pipe(Flag.withDefault(false),
    Flag.withDescription("Refuse a pod jsp cannot decide on (default: let it through unchanged, with a warning)")),
  gpuMode: Flag.Literals("gpu-mode", ["selinux", "privileged"]).pipe(Flag.optional, Flag.withMetavar("selinux|privileged"),
    Flag.withDescription("How the notebook container may use a GPU: selinux (drop capabilities, nvidia_container_t) or privileged")),
  mountPath: nonEmpty(Flag.String("default-mount-path")).pipe(Flag.optional, Flag.withMetavar("DIR"),
    Flag.withDescription("Where volumes without an absolute mountPath go (default /opt/app-root/src)"))
}, Effect.fn("serve")(function*(flags) {
  if (flags.port < 0 || flags.port > 65_535) return yield* usage(`--port ${flags.port}: expected 0 to 65535`)
  yield* readable("--tls-cert", flags.tlsCert)
  yield* readable("--tls-key", flags.tlsKey)
  const token = Option.isSome(flags.apiTokenFile) ? yield* readToken(flags.apiTokenFile.value) : undefined
  const server = yield* Effect.promise(() => import("@jsp/server"))
  const level = Option.getOrElse(Option.flatten(yield* Effect.serviceOption(LogLevelFlag)), () => "Info" as const)
  yield* Effect.scoped(Effect.gen(function*() {
    // The heap a configuration's reading grew goes back once it is in force: first before
    // listening; later after reloads, and when the server goes idle after a burst (heap-compaction.ts).
    const compact = heapCompactor()
    let answered = () => 0
    if (compact !== undefined) yield* keepHeapCompact(compact, {}, { answered: () => answered(), residentBytes: () => process.memoryUsage.rss() })
    const running = yield* server.startServer({
      host: flags.host,
      port: flags.port,
      tls: { cert: flags.tlsCert, key: flags.tlsKey },
      access: token === undefined ? undefined : { token },
      webhook: {
        failOpen: !flags.failClosed,
        spawn: { gpuMode: Option.getOrUndefined(flags.gpuMode), defaultMountPath: Option.getOrUndefined(flags.mountPath) }
      }
    }).pipe(Effect.mapError((error) => new CliFailure({ text: `cannot serve on ${flags.host}:${flags.port}: ${error.message}`, code: ExitCode.unavailable, cause: error })))
    answered = running.answered
    // Serves until a signal interrupts; the scope's finalizers then drain the server.
    yield* Effect.onInterrupt(Effect.never, () => Effect.sync(() => { serveState.stoppedBySignal = true }))
  }).pipe(
    Effect.provide(serveLayer(flags)),
    // JSON lines on standard output, from info up unless --log-level says otherwise.
    Effect.provide(Logger.layer([server.jsonLinesLogger(server.batchedLines((text) => process.stdout.write(text)))])),
    Effect.provideService(References.MinimumLogLevel, level)
  ))
}, reportErrors)).pipe(Command.withDescription("Serve the admission webhook (POST /mutate), the spawner API (/api) and the options form (/form) over HTTPS"))
