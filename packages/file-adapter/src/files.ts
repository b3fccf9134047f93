import { Effect, FileSystem, Path } from "effect"
import { unreadable } from "./read-errors.ts"

const documentFile = /\.(ya?ml|json)$/iu

/**
 * The files of a path: the file itself, or a directory's `*.yaml`/`*.yml`/`*.json` entries in name
 * order. Directories are not recursed into, so a symbolic link to a directory (or a loop of them)
 * is never followed; an entry that is not a regular file is refused when it is read.
 */
export const filesOf = Effect.fn("filesOf")(function*(path: string) {
  const fs = yield* FileSystem.FileSystem
  const paths = yield* Path.Path
  const info = yield* fs.stat(path).pipe(Effect.mapError(unreadable(path)))
  if (info.type !== "Directory") return { directory: false, files: [path] }
  const names = yield* fs.readDirectory(path).pipe(Effect.mapError(unreadable(path)))
  return { directory: true, files: names.filter((name) => documentFile.test(name)).sort().map((name) => paths.join(path, name)) }
})

