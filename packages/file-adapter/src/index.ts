export * from "./config-source.ts"
export * from "./manifests.ts"
