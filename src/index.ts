/** What a user's own pipeline.config.ts imports from 'vbuild'. */
export { defineConfig, defineRule } from './engine/rule.ts';
export type {
  Artifact,
  BatchBuildContext,
  BatchRule,
  BuildContext,
  Config,
  InputSpec,
  Item,
  Journal,
  ParamReader,
  ParamSpec,
  ParamSpecs,
  ParamValue,
  Resource,
  ResourceClaim,
  Rule,
  SharedSource,
  VideoBuildContext,
  VideoRule,
} from './engine/rule.ts';
