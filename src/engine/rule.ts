/**
 * The public contract between the engine and the rules that run on it.
 * A rule is a plain object; the engine knows nothing about what it builds.
 */

export type ParamValue = number | string | boolean;

export type ParamType = 'number' | 'integer' | 'string' | 'boolean';

export interface ParamSpec {
  type: ParamType;
  default: ParamValue;
  /** Shown in `--help` beside the flag. */
  doc: string;
  /** Allowed values for a string param. */
  choices?: readonly string[];
  /** Least and greatest values of a number or integer param (inclusive), shown in `--help`. */
  min?: number;
  max?: number;
  /**
   * False for a param that changes how a rule runs but not what it writes (a device, a thread
   * count, a batch size): it is left out of the build key, so changing it rebuilds nothing.
   * 'unless-default' for a param added to a rule that already has builds in users' caches, whose
   * default does what the rule did before it: only another value joins the key, so adding it
   * rebuilds nothing.
   */
  inKey?: boolean | 'unless-default';
  /**
   * True for a string param that names files or folders (several separated by commas; '' names
   * none). A build that runs on another machine gets each one mapped to that machine's path and
   * refused if it lies outside the folders that machine serves; it is never replaced by the other
   * machine's own value, since it says what the build reads.
   */
  paths?: boolean;
}

export type ParamSpecs = Record<string, ParamSpec>;

export type Resource = 'cpu' | 'gpu' | 'io';
export type ResourceClaim = Partial<Record<Resource, number>>;

/** One input video (or any input file: the engine does not care). */
export interface Item {
  /** Path relative to the input root, with forward slashes. Stable id of the item. */
  id: string;
  /** Absolute path on disk. */
  path: string;
}

/** Outputs of one finished build, as a dependent rule sees them. */
export interface Artifact {
  /** Output file name -> absolute path of its (read-only) stored content. */
  files: Record<string, string>;
  /** Output file name -> content hash. */
  hashes: Record<string, string>;
}

/** An append-only JSONL file that survives a killed build of the same key. */
export interface Journal<T = unknown> {
  /** The complete records already written by an earlier, interrupted run (a torn last line is dropped). */
  readonly existing: readonly T[];
  append(record: T): Promise<void>;
  /** Drops every record, earlier ones included: for a builder that finds it cannot continue from them. */
  restart(): Promise<void>;
  /** Flushes and closes; the file becomes an output of the build under its name. */
  close(): Promise<void>;
}

/** What every build's context holds; a per-video and a batch rule's differ in their item (below). */
interface BuildContextBase {
  rule: string;
  /** Every item of the run (the batch rule's inputs; also visible to video rules). */
  items: readonly Item[];
  /**
   * For a batch rule, the inputs left out of `items` because one of their builds failed (or
   * depends on one that did): which build and its error, so a plan can say what is missing and
   * why. They join the build key. Empty for a per-video rule.
   */
  failed: readonly FailedInput[];
  /**
   * For a batch rule, the folder its outputs are published under, relative to the output folder:
   * '' in a run over every input; in a filtered run (--only, --skip, --from) the selection's
   * folder, so that outputs over part of the inputs never replace the whole folder's. Outputs
   * that link to other published files (a page to the clips) reach them through it. It joins the
   * build key when not ''. Always '' for a per-video rule.
   */
  batchDir: string;
  /** Values of the params this rule declares (defaults, then config, then CLI). */
  params: Record<string, ParamValue>;
  /** The same values read by type, each checked against its declaration (type, min/max, choices). */
  param: ParamReader;
  /**
   * Upstream outputs by dependency rule name. For a dependency that is per-video and a
   * per-video rule: that item's artifact. For a batch rule depending on a per-video rule:
   * `batch[dep]` holds one artifact per item id instead.
   */
  deps: Record<string, Artifact>;
  batch: Record<string, Record<string, Artifact>>;
  /**
   * The stored path of output `name` of dependency `rule`: the item's build for a per-video rule,
   * item `item`'s for a batch rule reading a per-video dependency. Throws, naming what is missing,
   * when there is no such output.
   */
  depFile(rule: string, name: string, item?: string): string;
  /** Parses a JSON file (a dependency's output, from depFile). */
  readJson<T>(file: string): Promise<T>;
  /** The cache folder, for data derived by content and shared across builds (e.g. converted models). */
  cacheDir: string;
  /** Empty staging directory: every regular file written here becomes an output. */
  outDir: string;
  /** Opens (or resumes) an append-only journal that becomes the output file `name`. */
  journal<T = unknown>(name: string): Promise<Journal<T>>;
  /**
   * The outputs of this rule's last build for the same item (or batch), by output name: stored
   * files, read-only. A build may copy one into `outDir` instead of making it again where it can
   * tell, from what it wrote then, that it would make the same bytes (the cut rule keeps the
   * clips whose cut is unchanged when only the plan moved). Absent for a first build, and where the
   * executor runs the rule elsewhere; a file may be gone (`vbuild gc`): check before reading. It
   * never joins the key, so a build must come out the same with it as without it.
   */
  previous?: Readonly<Record<string, string>>;
  /**
   * Present when this build was started together with builds of other rules that name the same
   * `sharedSource` for the same item (see SharedSource); absent when it works alone.
   */
  sharedSource?: SharedSource;
  /** Aborted when the run is interrupted; long rules should stop promptly. */
  signal: AbortSignal;
  /** Progress inside this build, e.g. frames done of total; rendered by reporters. */
  progress(done: number, total: number, unit?: string): void;
  log(message: string): void;
}

/** The context of a `per: 'video'` rule: one item. */
export interface VideoBuildContext extends BuildContextBase {
  item: Item;
  /** Content hash of the item's file (what its artifacts are keyed by). */
  itemHash: string;
}

/** The context of a `per: 'batch'` rule: every item, through `items` and `batch`. */
export interface BatchBuildContext extends BuildContextBase {
  item: null;
  itemHash: null;
}

export type BuildContext = VideoBuildContext | BatchBuildContext;

/**
 * The meeting point of builds started together because their rules name the same `sharedSource`
 * for one item (one decode of a video feeding two rules). The engine knows nothing of what is
 * shared: each member offers a part (what it needs from the source) and all of them get what one
 * `open` call made of every part (say, one process with an output per member).
 *
 * It is an execution detail, never an edge: each build keeps its own key, claim, outputs and
 * failures, and must write exactly what it writes alone. The engine only starts such builds
 * together when all are waiting to start (as one job holding the largest of their claims: they go
 * at the shared work's pace), so no member ever waits for a build that is not running; one that
 * will not offer a part (it resumes from a journal, it failed first) says so with `leave`, and the
 * engine leaves for it once its run ends. The others then meet without it: a member may be left
 * meeting alone, with its own part only.
 */
export interface SharedSource {
  /** The rules of the builds started together, this one's included, in name order. */
  readonly members: readonly string[];
  /**
   * Offers `part` and waits until every member has offered its own or left. Then the last to
   * arrive calls its `open` once with the parts by rule name, and every member that offered gets
   * the same result (or its error). Members pass the same `open` (the shared source's module).
   * Rejects at once when this member has already met or left.
   */
  meet<Part, Shared>(part: Part, open: (parts: ReadonlyMap<string, Part>) => Shared): Promise<Shared>;
  /** This build will not meet: the others stop waiting for it. Does nothing once it has met. */
  leave(): void;
}

/**
 * Typed reads of param values. The CLI checks every value against its declaration before any
 * build; a reader checks again against the same declaration, so that a rule states no range of
 * its own and a rule run another way (a test, another executor) cannot get a value out of it.
 */
export interface ParamReader {
  number(name: string): number;
  string(name: string): string;
  boolean(name: string): boolean;
}

/** An input left out of a batch build after a failure. */
export interface FailedInput {
  item: string;
  /** The build that failed: `rule@item`. */
  build: string;
  error: string;
}

export type Per = 'video' | 'batch';

/** What every rule declares; `per` and `run` tell a per-video rule from a batch rule. */
interface RuleBase {
  name: string;
  /** Names of the rules whose outputs this rule reads. */
  deps?: readonly string[];
  /**
   * For a dependency, the only outputs this rule reads. The others stay out of its key and out of
   * ctx.deps, so they can change (a report-only field, say) without rebuilding this rule.
   */
  reads?: Readonly<Record<string, readonly string[]>>;
  /** Params this rule's output depends on; each becomes a CLI flag. */
  params?: ParamSpecs;
  /** Bump when the rule's code changes what it writes. */
  version: number | string;
  /** Whether the rule reads the item's own file (its content hash joins the key). Default true for per-video rules. */
  readsItem?: boolean;
  /**
   * Whether the rule's outputs name the item (its id: the path under the input root). Keys hold
   * content, not names, so the id then joins this rule's key: a renamed video rebuilds it (keep
   * such a rule cheap) while every other rule's artifacts are restored. A function of the params
   * when only some values make the outputs name it (sidecars: only with --sidecar).
   */
  readsItemId?: boolean | ((params: Record<string, ParamValue>) => boolean);
  /**
   * Extra files whose content joins the key (a model pack, reference images), given the params.
   * Only their content and base names count: a moved folder rebuilds nothing.
   */
  extraInputs?: (params: Record<string, ParamValue>, env: { cacheDir: string }) => string[] | Promise<string[]>;
  /**
   * Why the values in force cannot work for this rule: its params together (a lower bound above
   * an upper one, or with another rule's: a duration against the sampling step) or a path that
   * points at nothing; undefined when they can. Checked once before any build, so a mistake stops
   * the run with one message instead of failing every video. `params` holds every declared
   * param's value in force, each already checked against its own type and range.
   */
  checkParams?: (params: Record<string, ParamValue>) => string | undefined | Promise<string | undefined>;
  /**
   * The name of work that builds of one item may do once for several rules (`video-decode`): the
   * engine may start this rule's build together with those of other rules naming the same source
   * for the same item, and give them one `ctx.sharedSource` (see SharedSource). Only for per-video
   * rules; a build alone (another is fresh, or not ready yet) does the work itself.
   */
  sharedSource?: string;
  /** Pools a build holds while it runs (default one cpu); a function when it depends on params (e.g. the device). */
  resources?: ResourceClaim | ((params: Record<string, ParamValue>) => ResourceClaim);
  /**
   * Where the outputs are also published for users, relative to the config's `output`
   * (e.g. the video's stem for clips, '' for the output root; a batch rule's under its `batchDir`).
   * The engine links them there after every build or restore and removes files it published
   * earlier that are no longer outputs.
   */
  publish?: (item: Item | null) => string;
  /** Which outputs `publish` shows (default: all); the rest stay in the cache for dependents. */
  publishes?: (outputName: string) => boolean;
  /**
   * Published outputs a user is told to edit (a script to fill in). They are published as
   * writable copies, never hard links into the read-only cache, so an edit cannot reach it. A
   * build with the same output leaves the copy as the user left it; a new output replaces it,
   * and an edit it replaces (or a removal) is kept beside it as `<name>.edited`.
   */
  editable?: (outputName: string) => boolean;
}

/** A rule built once per input video. */
export interface VideoRule extends RuleBase {
  per: 'video';
  run(ctx: VideoBuildContext): Promise<void>;
}

/** A rule built once over every input (the report). */
export interface BatchRule extends RuleBase {
  per: 'batch';
  run(ctx: BatchBuildContext): Promise<void>;
}

export type Rule = VideoRule | BatchRule;

/** Runs `rule` on `ctx`, the context the engine built for its kind (a per-video rule's has its item). */
export function runRule(rule: Rule, ctx: BuildContext): Promise<void> {
  if (rule.per === 'video') {
    if (ctx.item === null) throw new Error(`${rule.name} is a per-video rule but was given a batch context`);
    return rule.run(ctx);
  }
  if (ctx.item !== null) throw new Error(`${rule.name} is a batch rule but was given the context of ${ctx.item.id}`);
  return rule.run(ctx);
}

export interface InputSpec {
  /** Folder the items live in; item ids are relative to it. */
  dir: string;
  /**
   * Glob patterns (picomatch) relative to `dir`, matched whatever the case. Symlinked folders are
   * followed once; hidden files and folders are left out.
   */
  include: readonly string[];
}

export interface Config {
  input: InputSpec;
  /** Where published outputs (clips, report) go. */
  output: string;
  /** Cache directory: artifacts, traces, run cache, stat cache, lock. */
  cache: string;
  /** Overrides of rule param defaults. */
  params?: Record<string, ParamValue>;
  rules: readonly Rule[];
}

export function defineRule<R extends Rule>(rule: R): R {
  return rule;
}

export function defineConfig<C extends Config>(config: C): C {
  return config;
}
