/** What a user's own pipeline.config.ts imports from 'vbuild'. */
export { defineConfig, defineRule } from './engine/rule.ts';
export type {
  Artifact,
  BuildContext,
  Config,
  InputSpec,
  Item,
  Journal,
  ParamSpec,
  ParamSpecs,
  ParamValue,
  Resource,
  ResourceClaim,
  Rule,
} from './engine/rule.ts';
