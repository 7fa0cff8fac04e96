import type { TenantId } from '@f2f/database';

import { InMemoryCaptions } from '../../testing/in-memory-repositories';
import { EditCaptionResolver } from '../captioning.resolver';

describe('Edit.caption', () => {
  it("shows the caption to the edit's tenant only", async () => {
    const captions = new InMemoryCaptions();
    await captions.save(
      undefined as never,
      {
        editId: 'e1',
        tenantId: 'tenant-a',
        targetCaption: 'A dog.',
        text: 'The dog sits.',
        provenance: 'vlm',
        vlmModel: 'm',
        exampleSet: 'project',
        promptVersion: 'v1',
        attempts: 1,
        fallbackReason: null,
      },
      [],
    );
    const resolver = new EditCaptionResolver(captions);
    expect(await resolver.caption({ __typename: 'Edit', id: 'e1' }, 'tenant-a' as TenantId)).toMatchObject({
      text: 'The dog sits.',
      provenance: 'vlm',
      exampleSet: 'project',
    });
    expect(await resolver.caption({ __typename: 'Edit', id: 'e1' }, 'tenant-b' as TenantId)).toBeNull();
  });
});
