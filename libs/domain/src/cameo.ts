import cameoTable from './cameo-codes.json';

export type QuadClass = 1 | 2 | 3 | 4;

export interface CameoCode {
  readonly code: string;
  readonly name: string;
  /** Goldstein value in tenths, so that sums stay exact integers. */
  readonly goldsteinTenths: number;
  readonly quadClass: QuadClass;
}

const codes: ReadonlyMap<string, CameoCode> = new Map(
  cameoTable.codes.map((c) => [
    c.code,
    {
      code: c.code,
      name: c.name,
      goldsteinTenths: Math.round(c.goldstein * 10),
      quadClass: c.quadClass as QuadClass,
    },
  ]),
);

export function cameoCode(code: string): CameoCode | undefined {
  return codes.get(code);
}

export function isCameoCode(code: string): boolean {
  return codes.has(code);
}

export const QUAD_CLASS_NAMES = {
  1: 'verbalCooperation',
  2: 'materialCooperation',
  3: 'verbalConflict',
  4: 'materialConflict',
} as const satisfies Record<QuadClass, string>;
