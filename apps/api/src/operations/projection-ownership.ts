import type { GroupOwnership } from '@app/event-log/event-log.port';
import type { ProjectorStatus } from '@app/projection/projection-runner';

/** Whether the projection has an owner for every partition, and what an operator reads when it has not. */
export interface Ownership {
  readonly owned: boolean;
  readonly message?: string;
  readonly details: {
    readonly projector?: ProjectorStatus;
    readonly group?: GroupOwnership & { readonly groupId: string };
  };
}

export interface OwnershipFacts {
  /** Every partition of the log. */
  readonly partitions: readonly number[];
  readonly groupId: string;
  /** The projector of this process, when one runs here. */
  readonly inProcess?: ProjectorStatus;
  /** Who holds what in the consumer group; undefined where the log has no groups (embedded). */
  readonly group?: GroupOwnership;
}

/**
 * Not owned while the projector of this process has not been handed its partitions (it may wait a session
 * timeout for a killed member to leave the group), nor while some partition of the log has no live member.
 */
export function judgeOwnership(facts: OwnershipFacts): Ownership {
  const details = {
    ...(facts.inProcess ? { projector: facts.inProcess } : {}),
    ...(facts.group ? { group: { groupId: facts.groupId, ...facts.group } } : {}),
  };
  if (facts.inProcess && facts.inProcess.state !== 'assigned') {
    return {
      owned: false,
      details,
      message:
        facts.inProcess.state === 'joining'
          ? `the projector of this process is joining consumer group ${facts.groupId} and holds no partition yet`
          : `the projector of this process is ${facts.inProcess.state}`,
    };
  }
  if (facts.group) {
    const owned = new Set(facts.group.owned);
    const orphans = facts.partitions.filter((p) => !owned.has(p));
    if (facts.group.state !== 'Stable' || orphans.length > 0) {
      return {
        owned: false,
        details,
        message:
          orphans.length > 0
            ? `no projector holds partition(s) [${orphans.join(', ')}]: consumer group ${facts.groupId} is ` +
              `${facts.group.state} with ${facts.group.members} member(s)`
            : `consumer group ${facts.groupId} is rebalancing (${facts.group.state})`,
      };
    }
  }
  return { owned: true, details };
}
