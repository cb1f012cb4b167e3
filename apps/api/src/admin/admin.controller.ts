import { Controller, Get, HttpCode, Inject, Optional, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Infrastructure } from '@app/read-model/infrastructure';
import type { ProjectionRunner } from '../../../projector/src/projection-runner';
import { PROJECTION_RUNNER } from '../../../projector/src/projector.module';
import { RebuildJob, type RebuildStatus } from '../../../projector/src/rebuild-job';
import { AdminOnly } from '../http/api-keys.guard';
import { problem, ProblemError } from '../http/problem';
import { INFRASTRUCTURE } from '../infrastructure/tokens';

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
  @ApiOperation({ summary: 'Drop every read model and rebuild it from the log; answers a job to follow' })
  rebuild(@Res({ passthrough: true }) res: Response): RebuildStatus {
    if (!this.runner) {
      throw new ProblemError(
        problem(
          'no-projector',
          'No projector runs in this process',
          409,
          'This API process runs no projector; stop the projectors and run `npm run rebuild` instead',
        ),
      );
    }
    if (this.running?.progress.state === 'running') {
      throw new ProblemError(
        problem(
          'rebuild-running',
          'A rebuild is running',
          409,
          `rebuild ${this.running.jobId} is still running`,
        ),
        { Location: jobLocation(this.running.jobId) },
      );
    }
    const job = new RebuildJob(this.infrastructure, this.runner);
    this.jobs.set(job.jobId, job);
    this.running = job;
    void job.run();
    res.setHeader('Location', jobLocation(job.jobId));
    return job.progress;
  }

  @Get('rebuild/:jobId')
  @ApiOperation({ summary: 'The progress of a rebuild' })
  job(@Param('jobId') jobId: string): RebuildStatus {
    const job = this.jobs.get(jobId);
    if (!job) throw new ProblemError(problem('not-found', 'Not found', 404, `no rebuild ${jobId}`));
    return job.progress;
  }
}

function jobLocation(jobId: string): string {
  return `/v1/admin/rebuild/${jobId}`;
}
