import type { TenantId } from '@f2f/database';
import { SignedUrls } from '@f2f/platform';

import { InMemorySelections } from '../../testing/in-memory-selections';
import { SelectionDecisionResolver } from '../selection-decision.resolver';

describe('Edit.selectionDecision', () => {
  it("shows the decision with signed collage URLs to the edit's tenant only", async () => {
    const selections = new InMemorySelections();
    await selections.save(
      undefined as never,
      {
        editId: 'e1',
        tenantId: 'tenant-a',
        candidate: null,
        frameIndex: null,
        frameId: null,
        policy: 'vlm',
        reason: 'no frame fulfils the edit',
        collageKeys: ['tenants/tenant-a/edits/e1/candidates/0/collage.png'],
        vlmModel: 'm',
        promptVersion: 'v1',
        rawAnswers: ['The selected edit is:0'],
        fallbackReason: null,
      },
      [],
    );
    const urls = new SignedUrls({ secret: 's'.repeat(32), publicBaseUrl: 'http://gw.test', ttlSeconds: 60 });
    const resolver = new SelectionDecisionResolver(selections, urls);
    const decision = await resolver.selectionDecision(
      { __typename: 'Edit', id: 'e1' },
      'tenant-a' as TenantId,
    );
    expect(decision).toMatchObject({ noEdit: true, policy: 'vlm', rawAnswers: ['The selected edit is:0'] });
    expect(decision!.collageUrls[0]).toMatch(/^http:\/\/gw\.test\//);
    expect(
      await resolver.selectionDecision({ __typename: 'Edit', id: 'e1' }, 'tenant-b' as TenantId),
    ).toBeNull();
  });
});
