export { jsp } from "./commands.ts"
export { CliFailure, ExitCode } from "./failure.ts"
