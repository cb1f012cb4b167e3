import { decide, type Decision, type DecisionFacts, type WriteCommand } from './decide';

/** One version of the decision rules: how a command recorded under it is decided, now and in every rebuild. */
export type Decider = (command: WriteCommand, facts: DecisionFacts) => Decision;

/** The version of records appended before versions were recorded. */
export const FIRST_RULES_VERSION = 1;

export interface RuleBook {
  /** The version new commands are recorded under. */
  readonly current: number;
  /** The rules of a version, or undefined when this code does not have them (it is older than the record). */
  rules(version: number): Decider | undefined;
}

export function ruleBook(versions: Readonly<Record<number, Decider>>): RuleBook {
  const known = new Map(Object.entries(versions).map(([version, decider]) => [Number(version), decider]));
  return { current: Math.max(...known.keys()), rules: (version) => known.get(version) };
}

/**
 * Every version of the rules the product has had. The log holds commands, and a rebuild decides them again:
 * so a change that could decide any command differently is a new version here, and the old version stays.
 * Each record carries the version it was appended under, and is decided by it, in every rebuild.
 */
export const RULE_BOOK: RuleBook = ruleBook({ [FIRST_RULES_VERSION]: decide });
