import { Controller, Get, HttpCode, Inject, Optional, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { decodeEnvelope } from '@app/event-log/envelope.codec';
import type { Infrastructure } from '@app/platform/infrastructure';
import { findDeadLetter, listDeadLetters, markReplayed, type DeadLetter } from '@app/decisions/dead-letters';
import type { ProjectionRunner } from '@app/projection/projection-runner';
import { PROJECTION_RUNNER } from '@app/projection/projector.module';
import { RebuildJob, type RebuildStatus } from '@app/projection/rebuild-job';
import { AdminOnly } from '../http/api-keys.guard';
import { ProblemError } from '../http/problem';
import { INFRASTRUCTURE } from '@app/platform/tokens';
import {
  deadLetterNotACommand,
  deadLetterReplayed,
  invalidParameter,
  noProjector,
  notFound,
  rebuildRunning,
} from '../http/problems';

@ApiTags('admin')
@AdminOnly()
@Controller('v1/admin')
export class AdminController {
  private readonly jobs = new Map<string, RebuildJob>();
  private running: RebuildJob | undefined;

  constructor(
    @Inject(INFRASTRUCTURE) private readonly infrastructure: Infrastructure,
    @Optional() @Inject(PROJECTION_RUNNER) private readonly runner?: ProjectionRunner,
  ) {}

  @Post('rebuild')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Rebuild every read model from the log beside the live ones, then switch; answers a job to follow',
  })
  rebuild(@Res({ passthrough: true }) res: Response): RebuildStatus {
    if (!this.runner) {
      throw new ProblemError(noProjector());
    }
    if (this.running?.progress.state === 'running') {
      throw new ProblemError(rebuildRunning(this.running.jobId), {
        Location: jobLocation(this.running.jobId),
      });
    }
    const job = new RebuildJob(this.infrastructure, this.runner);
    this.jobs.set(job.jobId, job);
    this.running = job;
    void job.run();
    res.setHeader('Location', jobLocation(job.jobId));
    return job.progress;
  }

  @Get('dead-letters')
  @ApiOperation({
    summary: 'Log records the projector could not apply, oldest first, with the error (page with `after`)',
  })
  async deadLetters(
    @Query('after') after?: string,
    @Query('limit') limit?: string,
  ): Promise<{ items: DeadLetter[]; next: string | null }> {
    const afterId =
      after === undefined ? undefined : positiveInteger('after', after, Number.MAX_SAFE_INTEGER);
    const pageSize =
      limit === undefined ? DEAD_LETTER_PAGE.default : positiveInteger('limit', limit, DEAD_LETTER_PAGE.max);
    const items = await listDeadLetters(this.infrastructure.dataSource, {
      limit: pageSize,
      afterId: afterId?.toString(),
    });
    return { items, next: items.length === pageSize ? items[items.length - 1].id : null };
  }

  @Post('dead-letters/:id/replay')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Append a dead-lettered command to the log again (after a fix): the projector decides it anew',
  })
  async replayDeadLetter(@Param('id') id: string): Promise<{ deadLetterId: string; commandId: string }> {
    const letter = /^\d{1,18}$/.test(id)
      ? await findDeadLetter(this.infrastructure.dataSource, id)
      : undefined;
    if (!letter) throw new ProblemError(notFound(`no dead letter ${id}`));
    if (letter.replayedAt) {
      throw new ProblemError(deadLetterReplayed(id, letter.replayedAt));
    }
    const decoded = decodeEnvelope(letter.raw);
    if (!decoded.ok) {
      throw new ProblemError(deadLetterNotACommand(id, decoded.error));
    }
    await this.infrastructure.eventLog.append(decoded.envelope);
    await markReplayed(this.infrastructure.dataSource, id);
    return { deadLetterId: id, commandId: decoded.envelope.commandId };
  }

  @Get('rebuild/:jobId')
  @ApiOperation({ summary: 'The progress of a rebuild' })
  job(@Param('jobId') jobId: string): RebuildStatus {
    const job = this.jobs.get(jobId);
    if (!job) throw new ProblemError(notFound(`no rebuild ${jobId}`));
    return job.progress;
  }
}

const DEAD_LETTER_PAGE = { default: 100, max: 1000 };

function jobLocation(jobId: string): string {
  return `/v1/admin/rebuild/${jobId}`;
}

function positiveInteger(name: string, text: string, max: number): number {
  if (!/^\d{1,16}$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw new ProblemError(invalidParameter(name, `must be an integer from 1 to ${max}`));
  }
  return Number(text);
}
