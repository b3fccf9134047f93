import { InvalidDocument, SourceUnavailable } from "@jsp/core"
import { Effect, FileSystem, Option, Result } from "effect"
import { unreadable } from "./read-errors.ts"

/**
 * The largest file jsp reads, and the most it takes from standard input: 8 MiB. A ConfigMap holds
 * at most 1 MiB, so a real configuration is far below it; a larger file is refused before it is
 * read (docs/configuration.md, "Files").
 */
export const maxFileBytes = 8 * 1024 * 1024

const mebibytes = (bytes: number | bigint): string => {
  const mib = Number(bytes) / (1024 * 1024)
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`
}

const limitText = (limit: number) => `the ${mebibytes(limit)} jsp reads of one input (a ConfigMap holds at most 1 MiB)`

/** Why a file of this size is not read. */
export const tooLargeReason = (size: number | bigint, limit: number = maxFileBytes): string =>
  `${mebibytes(size)} (${size} bytes), larger than ${limitText(limit)}; not read`

const kinds: Record<FileSystem.File.Type, string> = {
  File: "a regular file",
  Directory: "a directory",
  SymbolicLink: "a symbolic link",
  BlockDevice: "a block device",
  CharacterDevice: "a character device",
  FIFO: "a FIFO (named pipe)",
  Socket: "a socket",
  Unknown: "of an unknown type"
}

/** Why something that is not a regular file is not read ("is a FIFO (named pipe), not a regular file; …"). */
export const notRegularFileReason = (type: FileSystem.File.Type): string =>
  `is ${kinds[type]}, not a regular file; only regular files are read` +
  (type === "Directory" ? " (directories inside a configuration directory are not read)" : "")

const decoder = new TextDecoder("utf-8", { fatal: true })

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (as the WHATWG decoder sees it), or -1. */
const invalidUtf8Offset = (bytes: Uint8Array): number => {
  let i = 0
  while (i < bytes.length) {
    const first = bytes[i] ?? 0
    if (first < 0x80) {
      i += 1
      continue
    }
    const continuation = first >= 0xc2 && first <= 0xdf ? 1 : first >= 0xe0 && first <= 0xef ? 2 : first >= 0xf0 && first <= 0xf4 ? 3 : 0
    if (continuation === 0) return i
    // The second byte's range excludes overlong forms, surrogates and code points above U+10FFFF.
    const low = first === 0xe0 ? 0xa0 : first === 0xf0 ? 0x90 : 0x80
    const high = first === 0xed ? 0x9f : first === 0xf4 ? 0x8f : 0xbf
    const second = bytes[i + 1]
    if (second === undefined || second < low || second > high) return i
    for (let k = 2; k <= continuation; k++) {
      const next = bytes[i + k]
      if (next === undefined || (next & 0xc0) !== 0x80) return i
    }
    i += continuation + 1
  }
  return -1
}

/**
 * Decodes UTF-8 strictly: malformed bytes are an `InvalidDocument` naming the line, column and
 * byte offset, never replaced by U+FFFD. A leading byte order mark is dropped.
 */
export const decodeUtf8 = (source: string, bytes: Uint8Array): Result.Result<string, InvalidDocument> => {
  try {
    return Result.succeed(decoder.decode(bytes))
  } catch {
    const offset = invalidUtf8Offset(bytes)
    const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)
    const hint = utf16 ? " (the file looks like UTF-16; save it as UTF-8)" : ""
    if (offset < 0) return Result.fail(new InvalidDocument({ source, problems: [{ path: "", message: `not valid UTF-8${hint}` }] }))
    let line = 1
    let lineStart = 0
    for (let i = 0; i < offset; i++) {
      if (bytes[i] === 0x0a) {
        line += 1
        lineStart = i + 1
      }
    }
    const column = new TextDecoder("utf-8").decode(bytes.subarray(lineStart, offset)).length + 1
    const byte = (bytes[offset] ?? 0).toString(16).padStart(2, "0")
    return Result.fail(new InvalidDocument({
      source,
      problems: [{ path: `line ${line}, column ${column}`, message: `not valid UTF-8: byte 0x${byte} at byte offset ${offset}${hint}` }]
    }))
  }
}

const concat = (chunks: ReadonlyArray<Uint8Array>, total: number): Uint8Array => {
  const all = new Uint8Array(total)
  let at = 0
  for (const chunk of chunks) {
    all.set(chunk, at)
    at += chunk.length
  }
  return all
}

const chunkBytes = 64 * 1024

/**
 * The one way file-adapter (and the CLI) read a file: `stat` first, then only a regular file no
 * larger than `limit` is opened and read, and never more than `limit` bytes of it (a file that
 * grows meanwhile, or reports no size, still stops there); the text is strict UTF-8.
 * A FIFO, device, socket or directory is refused without being opened, naming what it is.
 */
export const readBoundedText = Effect.fn("readBoundedText")(function*(path: string, limit: number = maxFileBytes) {
  const fs = yield* FileSystem.FileSystem
  const unavailable = (detail: string) => new SourceUnavailable({ source: path, reason: "invalid", detail })
  const info = yield* fs.stat(path).pipe(Effect.mapError(unreadable(path)))
  if (info.type !== "File") return yield* unavailable(notRegularFileReason(info.type))
  if (info.size > BigInt(limit)) return yield* unavailable(tooLargeReason(info.size, limit))
  const bytes = yield* Effect.scoped(Effect.gen(function*() {
    const file = yield* fs.open(path, { flag: "r" })
    const chunks: Array<Uint8Array> = []
    let total = 0
    while (total <= limit) {
      const chunk = yield* file.readAlloc(Math.min(chunkBytes, limit + 1 - total))
      if (Option.isNone(chunk)) break
      chunks.push(chunk.value)
      total += chunk.value.length
    }
    return total > limit ? undefined : concat(chunks, total)
  })).pipe(Effect.mapError(unreadable(path)))
  // The size stat gave was wrong (a file growing meanwhile, or one that reports none, as in /proc).
  if (bytes === undefined) return yield* unavailable(`holds more than its size said, past ${limitText(limit)}; not read`)
  return yield* Effect.fromResult(decodeUtf8(path, bytes))
})

/**
 * Reads a stream (standard input) as strict UTF-8 text, up to `limit` bytes: past it, reading
 * stops (the stream is closed) and the read fails instead of growing.
 */
export const readBoundedStream = Effect.fn("readBoundedStream")(function*(
  source: string,
  stream: AsyncIterable<Uint8Array | string>,
  limit: number = maxFileBytes
) {
  const bytes = yield* Effect.tryPromise({
    try: async () => {
      const chunks: Array<Uint8Array> = []
      let total = 0
      for await (const chunk of stream) {
        const data = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk
        total += data.length
        // Leaving the loop closes the stream: nothing more is read.
        if (total > limit) return undefined
        chunks.push(data)
      }
      return concat(chunks, total)
    },
    catch: (cause) => new SourceUnavailable({ source, reason: "unreachable", detail: cause instanceof Error ? cause.message : String(cause) })
  })
  if (bytes === undefined) {
    return yield* new SourceUnavailable({ source, reason: "invalid", detail: `more than ${limitText(limit)}; stopped reading` })
  }
  return yield* Effect.fromResult(decodeUtf8(source, bytes))
})
