import { readFileSync, unwatchFile, watchFile } from "node:fs"
import type { SecureContextOptions } from "node:tls"

/** The certificate and key files the server presents. */
export interface TlsFiles {
  readonly cert: string
  readonly key: string
}

/** Reads the certificate chain and key (PEM). */
export const readTls = (files: TlsFiles): SecureContextOptions => ({ cert: readFileSync(files.cert), key: readFileSync(files.key) })

/**
 * Calls `reload` when either file changes. Polling stat, not fs.watch: Kubernetes swaps a mounted
 * Secret's files through a symlink, which inotify on the file itself does not see. Returns the stop.
 */
export const watchTls = (files: TlsFiles, intervalMs: number, reload: () => void): (() => void) => {
  const listener = () => reload()
  for (const path of [files.cert, files.key]) watchFile(path, { interval: intervalMs, persistent: false }, listener)
  return () => {
    for (const path of [files.cert, files.key]) unwatchFile(path, listener)
  }
}
