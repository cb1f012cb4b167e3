import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { StandoffDiff } from '@app/domain/diff-events';
import { ENTITY_ID_PATTERN } from '@app/domain/events';
import { ProblemError } from '../http/problem';
import { standoffNotFound } from '../http/problems';
import { standoffIdParam } from '../http/query-params';
import { ApiProblems, jsonOf } from '../operations/openapi-decorators';
import { diffRequestOf } from './diff-params';
import { GetDiffQuery } from './queries/temporal.query';

@ApiTags('standoffs')
@Controller('v1/standoffs')
export class DiffController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':standoffId/diff')
  @ApiOperation({
    summary: 'What changed between two instants, over valid time or over knowledge time, and why',
    description:
      'Either `from`, `to` (and `knownAt`): the state at `to` against the state at `from`, both as known at ' +
      '`knownAt`, with the included events that occurred in (`from`, `to`] in fold order. Or `asOf`, ' +
      '`knownFrom`, `knownTo`: the state at `asOf` as known at `knownTo` against as known at `knownFrom`, with ' +
      'the events reported in (`knownFrom`, `knownTo`] that bear on it (occurred by `asOf`, or a dispute, ' +
      'retraction or correction) in (`reportedAt`, `position`) order. `added` and `removed` hold whole items ' +
      'per list, `changed` the items in both whose fields differ (`origin` and `lastChange` aside) as ' +
      '`{ before, after }`; items are matched by their ids (DESIGN.md §9). A date means its start as `from` ' +
      'and its end everywhere else. Parameters of both kinds, or bounds in the wrong order, are a 400.',
  })
  @ApiParam({
    name: 'standoffId',
    description: 'The standoff, `^[a-z0-9][a-z0-9-]{0,63}$`',
    schema: { type: 'string', pattern: ENTITY_ID_PATTERN.source },
  })
  @ApiQuery({
    name: 'from',
    required: false,
    description: 'Valid time, the earlier state (a date: its start)',
  })
  @ApiQuery({ name: 'to', required: false, description: 'Valid time, the later state (a date: its end)' })
  @ApiQuery({
    name: 'knownAt',
    required: false,
    description: 'With from and to: knowledge time; default now',
  })
  @ApiQuery({
    name: 'asOf',
    required: false,
    description: 'With knownFrom and knownTo: the valid time compared',
  })
  @ApiQuery({ name: 'knownFrom', required: false, description: 'Knowledge time of the earlier picture' })
  @ApiQuery({ name: 'knownTo', required: false, description: 'Knowledge time of the later picture' })
  @ApiOkResponse({
    description: 'The change and the events that explain it',
    content: jsonOf('StandoffDiff'),
  })
  @ApiProblems({
    400: 'a bad, missing or conflicting parameter, each named in `errors[].path`',
    404: 'the standoff has no accepted event',
  })
  async diff(
    @Param('standoffId') standoffIdText: string,
    @Query() query: Readonly<Record<string, unknown>>,
  ): Promise<StandoffDiff> {
    const standoffId = standoffIdParam(standoffIdText);
    const request = diffRequestOf(standoffId, query, Date.now());
    const diff = await this.queryBus.execute(new GetDiffQuery(request));
    if (diff === undefined) throw new ProblemError(standoffNotFound(standoffId));
    return diff;
  }
}
