export { main, type Io } from "./main.ts";
export {
  parseCreateArgs,
  checkPackageName,
  displayNameOf,
  TEMPLATES,
  USAGE,
  UsageError,
  type CreateOptions,
  type TemplateName,
} from "./args.ts";
export {
  writeTemplate,
  appPackageJson,
  checkTarget,
  TEMPLATES_DIR,
  THIRD_PARTY,
  type ProjectSpec,
} from "./scaffold.ts";
export { alloDependencySpecs, packCheckout, copyTarballs, workspaceCheckout, VENDOR_DIR } from "./allo-packages.ts";
export { installDependencies, npmInstallArgs } from "./install.ts";
export { ask, type Answers } from "./prompts.ts";
