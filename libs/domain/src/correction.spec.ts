import { applyCorrection } from './correction';
import { anEvent } from './test-support/builders';

describe('applyCorrection', () => {
  const delivery = anEvent('document.delivered', {
    occurredAt: '2022-01-26',
    actor: 'USA',
    target: 'RUS',
    summary: 'The US delivers its response',
    data: { documentId: 'us-written-response', kind: 'response', title: 'Response', inReplyTo: 'ru-draft' },
  });

  it('moves occurredAt to a date, with day precision', () => {
    const corrected = applyCorrection(delivery, { occurredAt: '2022-01-27' });
    expect(corrected.occurredAt).toBe(Date.UTC(2022, 0, 27));
    expect(corrected.occurredPrecision).toBe('day');
  });

  it('moves occurredAt to an RFC 3339 instant, normalised to UTC, with instant precision', () => {
    const corrected = applyCorrection(delivery, { occurredAt: '2022-01-27T10:30:00+01:00' });
    expect(corrected.occurredAt).toBe(Date.UTC(2022, 0, 27, 9, 30));
    expect(corrected.occurredPrecision).toBe('instant');
  });

  it('replaces actor, summary and cameo', () => {
    const corrected = applyCorrection(delivery, { actor: 'NATO', summary: 'NATO, in fact', cameo: '037' });
    expect(corrected).toMatchObject({ actor: 'NATO', summary: 'NATO, in fact', cameo: '037' });
  });

  it('takes one target or an array of them', () => {
    expect(applyCorrection(delivery, { target: 'UKR' }).target).toEqual(['UKR']);
    expect(applyCorrection(delivery, { target: ['UKR', 'POL'] }).target).toEqual(['UKR', 'POL']);
  });

  it('replaces the data fields it names, removes those set to null and keeps the others', () => {
    const corrected = applyCorrection(delivery, { data: { kind: 'letter', title: null, note: 'new field' } });
    expect(corrected.data).toEqual({
      documentId: 'us-written-response',
      kind: 'letter',
      inReplyTo: 'ru-draft',
      note: 'new field',
    });
  });

  it('never changes the type, the event id, the position, the knowledge times or the entity id', () => {
    const corrected = applyCorrection(delivery, {
      type: 'statement.made',
      eventId: 'other',
      position: 99,
      reportedAt: '2030-01-01',
      data: { documentId: 'another-document' },
    });
    expect(corrected).toEqual(delivery);
  });

  it('lets a contact name another meeting: meetingId is a reference there, not its entity id', () => {
    const contact = anEvent('contact.held', {
      occurredAt: '2022-02-08',
      data: { mode: 'meeting', meetingId: 'a' },
    });
    expect(applyCorrection(contact, { data: { meetingId: 'b' } }).data.meetingId).toBe('b');
  });

  it('ignores fields of the wrong form (the catalogue rejects them before; the fold stays total)', () => {
    const corrected = applyCorrection(delivery, {
      occurredAt: 'yesterday',
      actor: 7,
      target: [1, 2],
      cameo: null,
      data: 'nothing',
    });
    expect(corrected).toEqual(delivery);
  });

  it('leaves the corrected event untouched', () => {
    const before = JSON.stringify(delivery);
    applyCorrection(delivery, { actor: 'NATO', data: { kind: 'letter' } });
    expect(JSON.stringify(delivery)).toBe(before);
  });

  it('keeps a client field named __proto__ as a field', () => {
    const corrected = applyCorrection(delivery, { data: JSON.parse('{"__proto__": {"polluted": true}}') });
    expect(Object.keys(corrected.data)).toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
