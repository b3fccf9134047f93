import { JsonSchema, Schema } from "effect"
import { ConfigDocument } from "./document.ts"

/** The JSON Schema (draft 2020-12) of the configuration document, for editors and CI checks. */
export const configJsonSchema = () => {
  // Editors flag unknown keys (likely typos) that jsp itself only warns about.
  const document = Schema.toJsonSchemaDocument(ConfigDocument, { onExcessProperty: "error" })
  return {
    $schema: JsonSchema.META_SCHEMA_URI_DRAFT_2020_12,
    $id: "https://opendatahub.io/jsp/config.schema.json",
    ...document.schema,
    $defs: document.definitions
  }
}
