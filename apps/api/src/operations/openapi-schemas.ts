import type {
  ReferenceObject,
  SchemaObject as PlainSchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ACTOR_ID_PATTERN } from '@app/domain/actors';
import { DIFF_LISTS, type DiffListName } from '@app/domain/diff';
import { DIFF_EVENTS_LIMIT } from '@app/domain/diff-events';
import { SUMMARY_MAX_CHARACTERS } from '@app/domain/event-rules';
import {
  dataFieldsOf,
  ENTITY_ID_PATTERN,
  EVENT_TYPES,
  isMetaType,
  TARGET_RULES,
  type EventType,
  type FieldKind,
} from '@app/domain/events';

/*
 * The schemas of /openapi.json's components, the request ones generated from the catalogue's tables
 * (libs/domain/src/events.ts), so that the document and the validator cannot drift apart.
 */

/** A schema or a reference to one; properties and items take either. */
type SchemaObject = PlainSchemaObject | (ReferenceObject & PlainSchemaObject);

const ref = (name: string): SchemaObject => ({ $ref: `#/components/schemas/${name}` });
/** Of a schema with a `type`: OpenAPI 3.0 ignores the siblings of a `$ref`. */
const nullable = (schema: PlainSchemaObject): SchemaObject => ({ ...schema, nullable: true });
const text: SchemaObject = { type: 'string', minLength: 1 };
const strings: SchemaObject = { type: 'array', items: { type: 'string' } };

/** A regular expression as OpenAPI wants it: ECMA-262 source, no flags. */
function pattern(expression: RegExp): string {
  return expression.source;
}

/** `Demand.tabled` → `DemandTabledEvent`: a component name per type. */
export function newEventSchemaName(type: EventType): string {
  const words = type.split(/[.-]/).map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return `New${words.join('')}Event`;
}

function dataFieldSchema(kind: FieldKind): SchemaObject {
  if (typeof kind !== 'string') return { type: 'string', enum: [...kind.oneOf] };
  switch (kind) {
    case 'text':
      return text;
    case 'entity-id':
      return ref('EntityId');
    case 'actor-id':
      return ref('ActorId');
    case 'actor-ids':
      return { type: 'array', items: ref('ActorId'), minItems: 1, uniqueItems: true };
    case 'event-id':
      return { type: 'string', format: 'uuid' };
    case 'time':
      return ref('Time');
    case 'count':
      return { type: 'integer', minimum: 0 };
    case 'troop-range':
      return {
        type: 'object',
        description: 'At least one bound; min ≤ max when both are given',
        properties: { min: { type: 'integer', minimum: 0 }, max: { type: 'integer', minimum: 0 } },
        minProperties: 1,
      };
    case 'people':
      return {
        type: 'array',
        items: {
          type: 'object',
          required: ['name'],
          properties: { name: text, role: text, actor: ref('ActorId') },
        },
      };
    case 'texts':
      return { type: 'array', items: text, minItems: 1 };
    case 'correction-set':
      return {
        type: 'object',
        description: 'The fields to replace; in data, null removes a field',
        properties: {
          occurredAt: ref('Time'),
          actor: ref('ActorId'),
          target: ref('Targets'),
          cameo: ref('CameoCode'),
          summary: text,
          data: { type: 'object', additionalProperties: true },
        },
        minProperties: 1,
      };
  }
}

function newEventSchema(type: EventType): SchemaObject {
  const meta = isMetaType(type);
  const fields = Object.entries(dataFieldsOf(type));
  const dataRequired = fields.filter(([, spec]) => spec.required).map(([field]) => field);
  const data: SchemaObject = {
    type: 'object',
    description: 'Fields the catalogue names are checked; others are kept as given',
    properties: Object.fromEntries(fields.map(([field, spec]) => [field, dataFieldSchema(spec.kind)])),
    ...(dataRequired.length > 0 ? { required: dataRequired } : {}),
    additionalProperties: true,
  };
  const targetRule = TARGET_RULES[type];
  const required = [
    'type',
    'occurredAt',
    'summary',
    ...(meta ? [] : ['actor']),
    ...(targetRule === 'at-least-one' ? ['target'] : []),
    ...(type === 'event.recorded' ? ['cameo'] : []),
    ...(dataRequired.length > 0 ? ['data'] : []),
  ];
  return {
    type: 'object',
    title: type,
    required,
    additionalProperties: false,
    properties: {
      eventId: {
        type: 'string',
        format: 'uuid',
        description: 'A client-chosen id: a retry with it is idempotent',
      },
      type: { type: 'string', enum: [type] },
      occurredAt: ref('Time'),
      reportedAt: ref('Time'),
      ...(meta ? {} : { actor: ref('ActorId') }),
      ...(targetRule === 'none' ? {} : { target: ref('Targets') }),
      summary: { type: 'string', minLength: 1, maxLength: SUMMARY_MAX_CHARACTERS },
      ...(meta ? {} : { cameo: ref('CameoCode') }),
      data,
      source: ref('Source'),
    },
  };
}

const source: PlainSchemaObject = {
  type: 'object',
  properties: { name: { type: 'string' }, url: { type: 'string', format: 'uri' } },
};

const quadClassCounts: SchemaObject = {
  type: 'object',
  required: ['verbalCooperation', 'materialCooperation', 'verbalConflict', 'materialConflict'],
  properties: {
    verbalCooperation: { type: 'integer' },
    materialCooperation: { type: 'integer' },
    verbalConflict: { type: 'integer' },
    materialConflict: { type: 'integer' },
  },
};

const goldsteinWindow: SchemaObject = {
  type: 'object',
  required: ['events', 'goldsteinSum', 'goldsteinMean'],
  properties: {
    events: { type: 'integer' },
    goldsteinSum: { type: 'number' },
    goldsteinMean: { type: 'number' },
  },
};

function objectOf(properties: Record<string, SchemaObject>): SchemaObject {
  return { type: 'object', required: Object.keys(properties), properties };
}

const day = ref('ResponseTime');

/** An item of one of the state's lists, with the events it comes from (DESIGN.md §9). */
function itemOf(properties: Record<string, SchemaObject>): SchemaObject {
  return objectOf({
    ...properties,
    origin: {
      type: 'string',
      format: 'uuid',
      description: 'The eventId of the included event that created the item',
    },
    lastChange: {
      type: 'string',
      format: 'uuid',
      description:
        'The eventId of the latest event in fold order that changed the item, a dispute or a denial included ' +
        '(a correction is named by the event it corrects, whose correctedBy lists it)',
    },
  });
}

/** The state of DESIGN.md §5, item by item. */
const standoffState: SchemaObject = objectOf({
  standoffId: ref('EntityId'),
  title: nullable({ type: 'string' }),
  asOf: day,
  knownAt: day,
  version: { type: 'integer' },
  eventCount: { type: 'integer' },
  firstEventAt: nullable({ type: 'string' }),
  lastEventAt: nullable({ type: 'string' }),
  actors: {
    type: 'array',
    items: objectOf({
      id: ref('ActorId'),
      name: nullable({ type: 'string' }),
      eventCount: { type: 'integer' },
    }),
  },
  demands: {
    type: 'array',
    items: itemOf({
      demandId: ref('EntityId'),
      issuer: ref('ActorId'),
      addressees: strings,
      text: nullable({ type: 'string' }),
      status: { type: 'string', enum: ['tabled', 'rejected', 'accepted', 'contested', 'withdrawn'] },
      tabledAt: day,
      rejectedBy: strings,
      acceptedBy: strings,
      updatedAt: day,
    }),
  },
  documents: {
    type: 'array',
    items: itemOf({
      documentId: ref('EntityId'),
      author: ref('ActorId'),
      recipients: strings,
      kind: nullable({ type: 'string' }),
      inReplyTo: nullable({ type: 'string' }),
      deliveredAt: day,
      status: { type: 'string', enum: ['delivered', 'disputed', 'void'] },
      disputedBy: strings,
    }),
  },
  awaiting: {
    type: 'array',
    items: itemOf({ from: ref('ActorId'), to: ref('ActorId'), documentId: ref('EntityId'), since: day }),
  },
  contacts: {
    type: 'array',
    items: itemOf({
      actors: { type: 'array', items: ref('ActorId'), minItems: 2, maxItems: 2 },
      count: { type: 'integer' },
      lastAt: day,
      byMode: objectOf({
        call: { type: 'integer' },
        video: { type: 'integer' },
        meeting: { type: 'integer' },
        visit: { type: 'integer' },
        multilateral: { type: 'integer' },
      }),
    }),
  },
  meetings: {
    type: 'array',
    items: itemOf({
      meetingId: ref('EntityId'),
      participants: strings,
      status: { type: 'string', enum: ['proposed', 'scheduled', 'held', 'cancelled'] },
      proposedAt: nullable({ type: 'string' }),
      proposedFor: nullable({ type: 'string' }),
      scheduledFor: nullable({ type: 'string' }),
      heldAt: nullable({ type: 'string' }),
      cancelledAt: nullable({ type: 'string' }),
      place: nullable({ type: 'string' }),
      conditions: nullable({ type: 'string' }),
    }),
  },
  pacts: {
    type: 'array',
    items: itemOf({
      pactId: ref('EntityId'),
      name: nullable({ type: 'string' }),
      parties: strings,
      status: { type: 'string', enum: ['in-preparation', 'signed', 'suspended'] },
      since: day,
    }),
  },
  forces: {
    type: 'array',
    items: itemOf({
      actor: ref('ActorId'),
      area: { type: 'string' },
      posture: { type: 'string' },
      troops: nullable({ type: 'integer' }),
      since: day,
      disputedBy: strings,
    }),
  },
  estimates: {
    type: 'array',
    items: itemOf({
      subject: ref('ActorId'),
      area: { type: 'string' },
      estimator: ref('ActorId'),
      troops: objectOf({ min: nullable({ type: 'integer' }), max: nullable({ type: 'integer' }) }),
      at: day,
    }),
  },
  positions: {
    type: 'array',
    items: itemOf({
      actor: ref('ActorId'),
      topic: { type: 'string' },
      stance: { type: 'string' },
      statedAt: day,
    }),
  },
  sanctions: {
    type: 'array',
    items: itemOf({
      by: ref('ActorId'),
      against: ref('ActorId'),
      status: { type: 'string', enum: ['threatened', 'imposed'] },
      measures: nullable(strings),
      since: day,
    }),
  },
  disputed: {
    type: 'array',
    items: itemOf({
      eventId: { type: 'string', format: 'uuid' },
      type: { type: 'string' },
      actor: nullable({ type: 'string' }),
      disputedBy: strings,
      void: { type: 'boolean' },
    }),
  },
  tension: objectOf({ last7Days: goldsteinWindow, last30Days: goldsteinWindow }),
});

const event: SchemaObject = {
  ...objectOf({
    eventId: { type: 'string', format: 'uuid' },
    standoffId: ref('EntityId'),
    position: { type: 'integer' },
    type: { type: 'string', enum: [...EVENT_TYPES] },
    occurredAt: day,
    reportedAt: day,
    recordedAt: day,
    actor: nullable({ type: 'string' }),
    target: strings,
    summary: { type: 'string' },
    cameo: nullable({ type: 'string' }),
    goldstein: nullable({ type: 'number' }),
    quadClass: nullable({
      type: 'string',
      enum: ['verbalCooperation', 'materialCooperation', 'verbalConflict', 'materialConflict'],
    }),
    data: { type: 'object', additionalProperties: true },
    source: nullable(source),
    status: { type: 'string', enum: ['accepted'] },
    disputedBy: { ...strings, description: 'Actors other than its own that dispute it' },
    void: { type: 'boolean', description: 'Its own actor denies it' },
    retracted: { type: 'boolean' },
    correctedBy: { ...strings, description: 'The corrections applied, in order' },
  }),
  description: 'An event as returned, fields as corrected where a correction is known (DESIGN.md §4)',
};

/** The schema of an item of one of the state's lists: the diff's items are the state's own. */
function stateItem(list: DiffListName): SchemaObject {
  const items = (standoffState.properties?.[list] as PlainSchemaObject | undefined)?.items;
  if (!items) throw new Error(`openapi-schemas: the state has no list ${list}`);
  return items;
}

/** Each list of the state the diff compares (DESIGN.md §9), mapped to `items(list)`. */
function perDiffList(items: (list: DiffListName) => SchemaObject): SchemaObject {
  return objectOf(
    Object.fromEntries(DIFF_LISTS.map((list) => [list, { type: 'array', items: items(list) }])),
  );
}

const moreEvents = {
  type: 'boolean',
  description: `Whether the window holds more events than the ${DIFF_EVENTS_LIMIT} listed (the timeline lists them all)`,
} as const;

const diffParts = {
  added: ref('DiffItems'),
  removed: ref('DiffItems'),
  changed: ref('DiffChanges'),
};

export function openApiSchemas(): Record<string, SchemaObject> {
  const newEvents = Object.fromEntries(
    EVENT_TYPES.map((type) => [newEventSchemaName(type), newEventSchema(type)]),
  );
  return {
    Time: {
      type: 'string',
      description: 'YYYY-MM-DD (a day) or RFC 3339 with an offset',
      example: '2022-01-26',
    },
    ResponseTime: {
      type: 'string',
      description: 'YYYY-MM-DD for a day-precision time, else RFC 3339 UTC with milliseconds and Z',
    },
    ActorId: { type: 'string', pattern: pattern(ACTOR_ID_PATTERN), example: 'RUS' },
    EntityId: {
      type: 'string',
      pattern: pattern(ENTITY_ID_PATTERN),
      example: 'no-nato-membership-for-ukraine',
    },
    CameoCode: { type: 'string', pattern: '^[0-9]{2,4}$', example: '036' },
    Targets: {
      description: 'One actor id or a list of them',
      oneOf: [ref('ActorId'), { type: 'array', items: ref('ActorId'), minItems: 1, uniqueItems: true }],
    },
    Source: source,
    ...newEvents,
    NewEvent: {
      description: 'An event to append; its type decides its data (domain/EVENTS.md)',
      oneOf: EVENT_TYPES.map((type) => ref(newEventSchemaName(type))),
      discriminator: {
        propertyName: 'type',
        mapping: Object.fromEntries(
          EVENT_TYPES.map((type) => [type, `#/components/schemas/${newEventSchemaName(type)}`]),
        ),
      },
    },
    NewEventBatch: {
      type: 'object',
      required: ['events'],
      additionalProperties: false,
      properties: { events: { type: 'array', items: ref('NewEvent'), minItems: 1, maxItems: 1000 } },
    },
    Event: event,
    EventWithStatus: {
      description:
        'One event, meta events included, with its decision: the event as accepted, or the member of a ' +
        'rejected command with the problem its POST answered',
      oneOf: [ref('Event'), ref('RejectedEvent')],
    },
    RejectedEvent: objectOf({
      eventId: { type: 'string', format: 'uuid' },
      standoffId: ref('EntityId'),
      status: { type: 'string', enum: ['rejected'] },
      problem: ref('Problem'),
    }),
    EventBatch: objectOf({ events: { type: 'array', items: ref('Event') } }),
    PendingEvent: objectOf({
      eventId: { type: 'string', format: 'uuid' },
      status: { type: 'string', enum: ['pending'] },
    }),
    PendingBatch: objectOf({
      eventIds: { type: 'array', items: { type: 'string', format: 'uuid' } },
      status: { type: 'string', enum: ['pending'] },
    }),
    StandoffSummary: objectOf({
      standoffId: ref('EntityId'),
      title: nullable({ type: 'string' }),
      version: { type: 'integer' },
      eventCount: { type: 'integer' },
      firstEventAt: nullable({ type: 'string' }),
      lastEventAt: nullable({ type: 'string' }),
    }),
    StandoffState: standoffState,
    DiffItems: perDiffList(stateItem),
    DiffChanges: {
      ...perDiffList((list) => objectOf({ before: stateItem(list), after: stateItem(list) })),
      description: 'Items in both states whose fields differ, origin and lastChange aside',
    },
    ValidTimeDiff: objectOf({
      from: { type: 'string', format: 'date-time' },
      to: { type: 'string', format: 'date-time' },
      knownAt: { type: 'string', format: 'date-time' },
      ...diffParts,
      events: {
        type: 'array',
        items: ref('Event'),
        description: `The included events that occurred in (from, to], in fold order: the first ${DIFF_EVENTS_LIMIT}`,
      },
      moreEvents,
    }),
    KnowledgeTimeDiff: objectOf({
      asOf: { type: 'string', format: 'date-time' },
      knownFrom: { type: 'string', format: 'date-time' },
      knownTo: { type: 'string', format: 'date-time' },
      ...diffParts,
      events: {
        type: 'array',
        items: ref('Event'),
        description:
          'The events reported in (knownFrom, knownTo] that bear on the state at asOf, in (reportedAt, position) ' +
          `order: the first ${DIFF_EVENTS_LIMIT}`,
      },
      moreEvents,
    }),
    StandoffDiff: {
      description: 'What changed between two instants (DESIGN.md §9): over valid time or over knowledge time',
      oneOf: [ref('ValidTimeDiff'), ref('KnowledgeTimeDiff')],
    },
    TimelinePage: objectOf({
      items: { type: 'array', items: ref('Event') },
      nextCursor: nullable({
        type: 'string',
        description: 'Pass as cursor for the next page; null on the last',
      }),
    }),
    TensionSeries: objectOf({
      bucket: { type: 'string', enum: ['day', 'week', 'month'] },
      series: {
        type: 'array',
        items: objectOf({
          start: { type: 'string' },
          end: { type: 'string' },
          events: { type: 'integer' },
          goldsteinSum: { type: 'number' },
          goldsteinMean: { type: 'number' },
          quadClass: quadClassCounts,
        }),
      },
    }),
    RebuildStatus: objectOf({
      jobId: { type: 'string' },
      state: { type: 'string', enum: ['running', 'done', 'failed'] },
      startedAt: { type: 'string', format: 'date-time' },
      finishedAt: nullable({ type: 'string', format: 'date-time' }),
      records: objectOf({ total: { type: 'integer' }, applied: { type: 'integer' } }),
      events: { type: 'integer' },
      eventsPerSecond: { type: 'number' },
      etaSeconds: nullable({ type: 'number' }),
      error: nullable({ type: 'string' }),
    }),
    DeadLetterPage: objectOf({
      items: {
        type: 'array',
        items: objectOf({
          id: { type: 'string' },
          topic: { type: 'string' },
          partition: { type: 'integer' },
          offset: { type: 'string' },
          commandId: nullable({ type: 'string' }),
          standoffId: nullable({ type: 'string' }),
          error: { type: 'string' },
          receivedAt: { type: 'string', format: 'date-time' },
          replayedAt: nullable({ type: 'string', format: 'date-time' }),
          payloadPreview: { type: 'string', description: "The record's bytes as UTF-8 text, shortened" },
          payloadBytes: { type: 'integer' },
        }),
      },
      next: nullable({ type: 'string', description: 'Pass as after for the next page; null on the last' }),
    }),
    DeadLetterReplay: objectOf({ deadLetterId: { type: 'string' }, commandId: { type: 'string' } }),
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details',
      required: ['type', 'title', 'status', 'detail'],
      properties: {
        type: { type: 'string', format: 'uri' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        errors: {
          type: 'array',
          items: objectOf({
            path: { type: 'string', description: 'A JSON pointer or a query parameter' },
            message: { type: 'string' },
          }),
        },
      },
      additionalProperties: true,
    },
  };
}
