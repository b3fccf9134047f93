import { Data } from "effect"

/** A service's object could not be made from its template (SPEC 7): which service, which template, why. */
export class ServiceTemplateError extends Data.TaggedError("ServiceTemplateError")<{
  readonly service: string
  /** The template's ConfigMap and key. */
  readonly configMap: string
  readonly key: string
  /** The line of the template, when the problem has one. */
  readonly line?: number
  readonly cause: string
}> {
  override get message(): string {
    return `service "${this.service}": template ConfigMap ${this.configMap} key ${this.key}${this.line === undefined ? "" : ` line ${this.line}`}: ${this.cause}`
  }
}
