/**
 * Runs a synthesized Step Functions definition (Amazon States Language) in the test process: the states, their
 * Parameters/ResultSelector/ResultPath, JSONPath, the intrinsics the project's state machines use
 * (States.Format, States.Array, States.JsonMerge), Choice rules, Retry (once more, at no wait) and Catch. Wait
 * states do not wait. Each Task's resource goes to `tasks`, which calls the real handler or an emulator, so the
 * definition `cdk synth` writes is the one that runs. No emulator of Step Functions executes Lambda tasks
 * without Docker (moto's needs it), hence this.
 */

type Json = unknown;
type Obj = Record<string, unknown>;

export interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Parameters?: Obj;
  ResultSelector?: Obj;
  ResultPath?: string | null;
  Resource?: string;
  Choices?: Obj[];
  Default?: string;
  Catch?: { ErrorEquals: string[]; ResultPath?: string; Next: string }[];
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[];
  Error?: string;
  Cause?: string;
}

export interface Execution {
  status: 'SUCCEEDED' | 'FAILED';
  output: Json;
  /** The states entered, in order. */
  path: string[];
  error?: { Error: string; Cause: string };
}

export type TaskHandler = (resource: string, parameters: Json, state: string) => Promise<Json>;

/** The template's DefinitionString ({Fn::Join: ['', parts]}) with every Ref/GetAtt replaced by `resolve`'s answer. */
export function resolveDefinition(definition: Json, resolve: (token: Obj) => string): { StartAt: string; States: Record<string, AslState> } {
  const d = definition as { 'Fn::Join'?: [string, Json[]] };
  const text = d['Fn::Join'] ? d['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : resolve(p as Obj))).join('') : String(definition);
  return JSON.parse(text);
}

/** $.a.b[0].c against the state's input and the context object ($$). */
export function jsonPath(path: string, input: Json, context: Json): Json {
  const root = path.startsWith('$$') ? context : input;
  const rest = path.replace(/^\$\$?/, '');
  let v: Json = root;
  for (const m of rest.matchAll(/\.([^.[]+)|\[(\d+)\]/g)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = m[1] !== undefined ? (v as Obj)[m[1]] : (v as Json[])[Number(m[2])];
  }
  return v;
}

/** Evaluates an intrinsic function call or a path. */
function evaluate(expr: string, input: Json, context: Json): Json {
  let i = 0;
  const ws = () => {
    while (expr[i] === ' ') i++;
  };
  const value = (): Json => {
    ws();
    if (expr[i] === "'") {
      let s = '';
      for (i++; expr[i] !== "'"; i++) s += expr[i] === '\\' ? expr[++i] : expr[i];
      i++;
      return s;
    }
    if (expr.startsWith('$', i)) {
      const m = /^\$\$?[^,)\s]*/.exec(expr.slice(i))!;
      i += m[0].length;
      return jsonPath(m[0], input, context);
    }
    const m = /^(States\.\w+)\(/.exec(expr.slice(i));
    if (m) {
      i += m[0].length;
      const args: Json[] = [];
      ws();
      while (expr[i] !== ')') {
        args.push(value());
        ws();
        if (expr[i] === ',') i++;
        ws();
      }
      i++;
      return call(m[1], args);
    }
    const lit = /^(true|false|null|-?\d+(\.\d+)?)/.exec(expr.slice(i));
    if (!lit) throw new Error(`cannot read ${expr.slice(i)}`);
    i += lit[0].length;
    return JSON.parse(lit[0]);
  };
  return value();
}

function call(name: string, args: Json[]): Json {
  switch (name) {
    case 'States.Format': {
      const [template, ...rest] = args as [string, ...Json[]];
      let n = 0;
      return template.replace(/\{\}/g, () => String(rest[n++]));
    }
    case 'States.Array':
      return args;
    case 'States.JsonMerge':
      return { ...(args[0] as Obj), ...(args[1] as Obj) }; // shallow (the third argument must be false)
    default:
      throw new Error(`intrinsic ${name} is not supported by the test runner`);
  }
}

/** Parameters/ResultSelector: keys ending in .$ are paths or intrinsics, the rest literal (objects recursively). */
export function template(t: Json, input: Json, context: Json): Json {
  if (Array.isArray(t)) return t.map((x) => template(x, input, context));
  if (t === null || typeof t !== 'object') return t;
  const out: Obj = {};
  for (const [k, v] of Object.entries(t as Obj)) {
    if (k.endsWith('.$')) out[k.slice(0, -2)] = evaluate(v as string, input, context);
    else out[k] = template(v, input, context);
  }
  return out;
}

function setPath(input: Json, path: string | null | undefined, result: Json): Json {
  if (path === null) return input;
  if (path === undefined || path === '$') return result;
  const keys = path.replace(/^\$\./, '').split('.');
  const out = structuredClone((input ?? {}) as Obj);
  let o = out;
  for (const k of keys.slice(0, -1)) o = (o[k] = typeof o[k] === 'object' && o[k] !== null ? structuredClone(o[k]) : {}) as Obj;
  o[keys.at(-1)!] = result;
  return out;
}

function choose(rule: Obj, input: Json, context: Json): boolean {
  if (rule.And) return (rule.And as Obj[]).every((r) => choose(r, input, context));
  if (rule.Or) return (rule.Or as Obj[]).some((r) => choose(r, input, context));
  if (rule.Not) return !choose(rule.Not as Obj, input, context);
  const v = jsonPath(rule.Variable as string, input, context);
  if ('IsPresent' in rule) return (v !== undefined) === rule.IsPresent;
  if ('BooleanEquals' in rule) return v === rule.BooleanEquals;
  if ('StringEquals' in rule) return v === rule.StringEquals;
  if ('StringEqualsPath' in rule) return v === jsonPath(rule.StringEqualsPath as string, input, context);
  throw new Error(`choice rule not supported by the test runner: ${JSON.stringify(rule)}`);
}

class TaskFailed extends Error {
  constructor(
    readonly error: string,
    readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
  }
}

export async function runStateMachine(
  machine: { StartAt: string; States: Record<string, AslState> },
  opts: { name: string; input: Json; tasks: TaskHandler; maxSteps?: number },
): Promise<Execution> {
  const context = { Execution: { Name: opts.name, Id: `arn:aws:states:us-east-1:123456789012:execution:test:${opts.name}` } };
  const path: string[] = [];
  let input = opts.input;
  let name = machine.StartAt;
  for (let step = 0; step < (opts.maxSteps ?? 200); step++) {
    const state = machine.States[name];
    if (!state) throw new Error(`no state ${name}`);
    path.push(name);
    let next = state.Next;
    switch (state.Type) {
      case 'Pass':
        input = setPath(input, state.ResultPath, state.Parameters ? template(state.Parameters, input, context) : input);
        break;
      case 'Wait':
        break;
      case 'Choice': {
        const hit = state.Choices!.find((c) => choose(c, input, context));
        next = (hit?.Next as string | undefined) ?? state.Default;
        if (!next) return { status: 'FAILED', output: input, path, error: { Error: 'States.NoChoiceMatched', Cause: name } };
        break;
      }
      case 'Task': {
        const params = template(state.Parameters ?? {}, input, context);
        const attempts = 1 + (state.Retry?.length ? 1 : 0);
        let result: Json;
        let failure: TaskFailed | undefined;
        for (let a = 0; a < attempts; a++) {
          try {
            result = await opts.tasks(state.Resource!, params, name);
            failure = undefined;
            break;
          } catch (err) {
            failure = new TaskFailed((err as Error).name || 'Error', (err as Error).message);
          }
        }
        if (failure) {
          const handler = state.Catch?.find((c) => c.ErrorEquals.includes('States.ALL') || c.ErrorEquals.includes(failure!.error));
          if (!handler) return { status: 'FAILED', output: input, path, error: { Error: failure.error, Cause: failure.cause } };
          input = setPath(input, handler.ResultPath ?? '$', { Error: failure.error, Cause: failure.cause });
          next = handler.Next;
          break;
        }
        const selected = state.ResultSelector ? template(state.ResultSelector, result, context) : result;
        input = setPath(input, state.ResultPath, selected);
        break;
      }
      case 'Succeed':
        return { status: 'SUCCEEDED', output: input, path };
      case 'Fail':
        return { status: 'FAILED', output: input, path, error: { Error: state.Error ?? '', Cause: state.Cause ?? '' } };
      default:
        throw new Error(`state type ${state.Type} is not supported by the test runner`);
    }
    if (state.End) return { status: 'SUCCEEDED', output: input, path };
    name = next!;
  }
  throw new Error(`more than ${opts.maxSteps ?? 200} steps: a loop?`);
}
