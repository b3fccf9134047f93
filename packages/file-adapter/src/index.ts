export * from "./bounded-read.ts"
export * from "./config-source.ts"
export * from "./manifests.ts"
export * from "./read-errors.ts"
