import { Schema } from "effect"

/** A whole number, zero or more (GPU counts, form bounds). */
export const NonNegativeInt = Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0)))
