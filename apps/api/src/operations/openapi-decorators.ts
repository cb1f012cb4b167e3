import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { PROBLEM_CONTENT_TYPE } from '../http/problem';

/** A `$ref` to a schema of openapi-schemas.ts. */
export function schemaRef(name: string): { $ref: string } {
  return { $ref: `#/components/schemas/${name}` };
}

/** JSON content of a schema of openapi-schemas.ts. */
export function jsonOf(name: string) {
  return { 'application/json': { schema: schemaRef(name) } };
}

export const PROBLEM_CONTENT = { [PROBLEM_CONTENT_TYPE]: { schema: schemaRef('Problem') } };

/** Problem responses with what each status means on this route. */
export function ApiProblems(
  descriptions: Readonly<Record<number, string>>,
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(descriptions).map(([status, description]) =>
      ApiResponse({
        status: Number(status),
        description: `${STATUS_CODES[Number(status)] ?? 'Error'}: ${description}`,
        content: PROBLEM_CONTENT,
      }),
    ),
  );
}

/** The headers of the write routes (DESIGN.md §4). */
export function ApiWriteHeaders(): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: 'Append only if the standoff is at this version ("0" for a new standoff), else 412',
      schema: { type: 'string', pattern: '^"[0-9]+"$', example: '"19"' },
    }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Per standoff, kept for good: a retry with the same key and content returns the original result; ' +
        'other content is 422',
      schema: { type: 'string', minLength: 1, maxLength: 200 },
    }),
  );
}
