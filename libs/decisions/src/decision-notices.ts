import type { Queryable } from '@app/read-model/queryable';

/** The channel on which the projector tells waiting POSTs (in any process) that their commands are decided. */
export const DECISIONS_CHANNEL = 'standoff_decisions';

/** A NOTIFY payload holds less than 8000 bytes: a few hundred command ids each. */
const IDS_PER_NOTICE = 200;

/** Sent when the transaction commits, and only then. */
export async function noticeDecided(tx: Queryable, commandIds: readonly string[]): Promise<void> {
  for (let i = 0; i < commandIds.length; i += IDS_PER_NOTICE) {
    await tx.query(`SELECT pg_notify($1, $2)`, [
      DECISIONS_CHANNEL,
      commandIds.slice(i, i + IDS_PER_NOTICE).join(','),
    ]);
  }
}
