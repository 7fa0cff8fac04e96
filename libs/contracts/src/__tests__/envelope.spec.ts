import { randomUUID } from 'node:crypto';

import {
  decodeEnvelope,
  InvalidEventError,
  makeEnvelope,
  parseEnvelope,
  Topic,
  topicName,
  logicalTopic,
  traceIdOf,
} from '..';

const requested = () =>
  makeEnvelope({
    type: Topic.EditRequested,
    editId: randomUUID(),
    tenantId: 'acme',
    payload: {
      targetCaption: 'A photo of a sitting dog.',
      sourceKey: 'tenants/acme/edits/e/source.png',
      groundTruthKey: null,
      sourceWidth: 640,
      sourceHeight: 480,
      options: {
        model: 'preview',
        frames: 49,
        steps: 50,
        guidance: 6,
        fps: 8,
        seed: 7,
        captionMode: 'temporal',
        selection: 'vlm',
        candidates: 1,
        outputWidth: null,
        outputHeight: null,
      },
    },
  });

describe('event envelope', () => {
  it('builds a valid envelope with a fresh id, schema version and trace', () => {
    const a = requested();
    const b = requested();
    expect(a.eventId).not.toEqual(b.eventId);
    expect(a.schemaVersion).toBe(1);
    expect(a.causationId).toBeNull();
    expect(parseEnvelope(JSON.parse(JSON.stringify(a)))).toEqual(a);
  });

  it('continues the trace of the event it answers', () => {
    const cause = requested();
    const caption = makeEnvelope({
      type: Topic.CaptionCompleted,
      editId: cause.editId,
      tenantId: cause.tenantId,
      cause,
      payload: {
        temporalCaption: 'The dog slowly sits down.',
        provenance: 'template',
        targetCaption: cause.payload.targetCaption,
        sourceKey: cause.payload.sourceKey,
        groundTruthKey: null,
        sourceWidth: cause.payload.sourceWidth,
        sourceHeight: cause.payload.sourceHeight,
        options: cause.payload.options,
      },
    });
    expect(caption.causationId).toBe(cause.eventId);
    expect(traceIdOf(caption.trace)).toBe(traceIdOf(cause.trace));
    expect(caption.trace.traceparent).not.toBe(cause.trace.traceparent);
  });

  it('refuses an invalid payload in the producer', () => {
    expect(() =>
      makeEnvelope({
        type: Topic.FrameSelected,
        editId: randomUUID(),
        tenantId: 'acme',
        payload: {
          candidate: 0,
          frameIndex: -1,
          frameId: randomUUID(),
          policy: 'last-frame',
          reason: 'x',
          collageKeys: [],
        },
      }),
    ).toThrow(InvalidEventError);
  });

  it.each([
    ['unknown type', (e: Record<string, unknown>) => ({ ...e, type: 'edit.exploded' })],
    ['future schema version', (e: Record<string, unknown>) => ({ ...e, schemaVersion: 2 })],
    ['unknown envelope field', (e: Record<string, unknown>) => ({ ...e, extra: true })],
    ['bad edit id', (e: Record<string, unknown>) => ({ ...e, editId: 'not-a-uuid' })],
    [
      'missing payload field',
      (e: Record<string, unknown>) => ({ ...e, payload: { ...(e.payload as object), sourceKey: undefined } }),
    ],
    [
      'unknown payload field',
      (e: Record<string, unknown>) => ({ ...e, payload: { ...(e.payload as object), x: 1 } }),
    ],
  ])('rejects an event with %s', (_name, mutate) => {
    const raw = mutate(JSON.parse(JSON.stringify(requested())) as Record<string, unknown>);
    expect(() => parseEnvelope(raw)).toThrow(InvalidEventError);
  });

  it('rejects bytes that are not JSON and empty messages', () => {
    expect(() => decodeEnvelope(Buffer.from('{nope'))).toThrow(/not JSON/);
    expect(() => decodeEnvelope(null)).toThrow(/empty message/);
  });

  it('maps logical topics to prefixed names and back', () => {
    expect(topicName('f2f.', Topic.VideoGenerated)).toBe('f2f.video.generated');
    expect(logicalTopic('f2f.', 'f2f.video.generated')).toBe(Topic.VideoGenerated);
    expect(logicalTopic('f2f.', 'other.video.generated')).toBeUndefined();
    expect(logicalTopic('f2f.', 'f2f.video.unknown')).toBeUndefined();
  });
});
