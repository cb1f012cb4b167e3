import actorTable from './actor-codes.json';

export const ACTOR_ID_PATTERN = /^[A-Z]{2,10}(\.[A-Z]{2,10})?$/;

const names: ReadonlyMap<string, string> = new Map(actorTable.actors.map((a) => [a.id, a.name]));
const sectors: Readonly<Record<string, string>> = actorTable.sectors;

/** The actor's name from actors.json; a sector adds its name in brackets ("Russia (military)"); unknown ids have none. */
export function actorName(id: string): string | null {
  const [base, sector] = id.split('.');
  const baseName = names.get(base);
  if (baseName === undefined) return null;
  if (sector === undefined) return baseName;
  const sectorName = sectors[sector];
  return sectorName === undefined ? baseName : `${baseName} (${sectorName})`;
}

/** An actor filter matches the id itself and its sectors: `RUS` matches `RUS` and `RUS.MIL`. */
export function actorMatches(filter: string, id: string): boolean {
  return id === filter || id.startsWith(`${filter}.`);
}
