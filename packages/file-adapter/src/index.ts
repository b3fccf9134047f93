export * from "./config-source.ts"
export * from "./manifests.ts"
export * from "./read-errors.ts"
export * from "./user-settings-store.ts"
