import { decodeCommand } from './command-decoding';
import {
  type CatalogueCommand,
  decide,
  type Decision,
  type DecisionFacts,
  type FactsNeeded,
  factsNeeded,
  type WriteCommand,
} from './decide';
import { decideV1, factsNeededV1 } from './rules-v1';

/** One version of the decision rules: how a command recorded under it is decided, now and in every rebuild. */
export interface Decider {
  /** What `decide` will ask its facts about for this command, so that the caller loads exactly that. */
  readonly factsNeeded: (command: WriteCommand) => FactsNeeded;
  readonly decide: (command: WriteCommand, facts: DecisionFacts) => Decision;
}

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

/** Version 1: events read by type name and field name (rules-v1.ts), whatever the record holds. */
export const RULES_V1: Decider = { factsNeeded: factsNeededV1, decide: decideV1 };

/**
 * Version 2: the same rules on the command decoded into the catalogue's union (decide.ts). A record whose
 * events the API could not have appended is not decided: UndecodableCommandError dead-letters it.
 */
export const RULES_V2: Decider = {
  factsNeeded: (command) => factsNeeded(decodedOnce(command)),
  decide: (command, facts) => decide(decodedOnce(command), facts),
};

// The projector asks for a command's facts, then for its decision: one decoding serves both.
const decoded = new WeakMap<WriteCommand, CatalogueCommand>();

function decodedOnce(command: WriteCommand): CatalogueCommand {
  let catalogueCommand = decoded.get(command);
  if (catalogueCommand === undefined) {
    catalogueCommand = decodeCommand(command);
    decoded.set(command, catalogueCommand);
  }
  return catalogueCommand;
}

/**
 * Every version of the rules the product has had. The log holds commands, and a rebuild decides them again:
 * so a change that could decide any command differently is a new version here, and the old version stays.
 * Each record carries the version it was appended under, and is decided by it, in every rebuild.
 */
export const RULE_BOOK: RuleBook = ruleBook({ 1: RULES_V1, 2: RULES_V2 });
