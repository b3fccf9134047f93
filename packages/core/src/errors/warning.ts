/** Something worth knowing that does not stop the work: where (document, field) and what. */
// A type, not an interface, so that warnings are JSON values (`resolve` and the API print them).
export type Warning = {
  /** The document or object concerned: a file, `<namespace>: ConfigMap <name> key <key>`, `request`… */
  readonly source: string
  /** The field inside it, as a person writes it (`profiles[2].env`), when there is one. */
  readonly path?: string
  readonly message: string
}

/** A warning about a source, optionally at a field path. */
export const warning = (source: string, message: string, path?: string): Warning =>
  path === undefined || path === "" ? { source, message } : { source, path, message }

/** A warning as one line of text (`source: path: message`), as `warning: …` lines print it. */
export const formatWarning = (w: Warning): string =>
  w.path === undefined ? `${w.source}: ${w.message}` : `${w.source}: ${w.path}: ${w.message}`

/** The source of warnings about what the caller asked for (a size, a GPU type). */
export const requestSource = "request"
