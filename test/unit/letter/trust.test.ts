import { senderTier, type SenderFacts } from '../../../letter/trust';

describe("a sender's tier for automatic replies", () => {
  const facts: SenderFacts = {
    verdict: 'authentic',
    fromAddress: 'saraban@moe.go.th',
    envelopeSender: 'saraban@moe.go.th',
    inDirectory: false,
    trustedSuffixes: ['.go.th'],
  };

  it('trusts an authenticated sender under a trusted suffix, or in the agency directory', () => {
    expect(senderTier(facts)).toBe('trusted');
    expect(senderTier({ ...facts, fromAddress: 'clerk@school.ac.th', envelopeSender: 'clerk@school.ac.th', inDirectory: true })).toBe(
      'trusted',
    );
    expect(senderTier({ ...facts, trustedSuffixes: ['go.th'] })).toBe('trusted');
  });

  it('gives an authenticated sender outside the directory and the suffixes the middle tier', () => {
    expect(senderTier({ ...facts, fromAddress: 'clerk@school.ac.th', envelopeSender: 'clerk@school.ac.th' })).toBe('authenticated');
    expect(senderTier({ ...facts, trustedSuffixes: [] })).toBe('authenticated');
    // The suffix itself is no agency's domain, and a look-alike domain does not end in it.
    expect(senderTier({ ...facts, fromAddress: 'a@go.th', envelopeSender: 'a@go.th' })).toBe('authenticated');
    expect(senderTier({ ...facts, fromAddress: 'a@evilgo.th', envelopeSender: 'a@evilgo.th' })).toBe('authenticated');
  });

  it('counts a sender as unverified when nothing vouched for it, whatever the directory or its domain say', () => {
    expect(senderTier({ ...facts, verdict: 'unverified' })).toBe('unverified');
    expect(senderTier({ ...facts, verdict: 'unverified', inDirectory: true })).toBe('unverified');
    expect(senderTier({ ...facts, verdict: 'forged' })).toBe('unverified');
  });

  it('counts the reply address as unverified when it is not of the organisation that was authenticated', () => {
    // A letter signed by moe.go.th, replayed with another envelope sender: our reply would go there.
    expect(senderTier({ ...facts, envelopeSender: 'someone@gmail.com' })).toBe('unverified');
    expect(senderTier({ ...facts, envelopeSender: 'bounces@mail.moe.go.th' })).toBe('trusted');
    expect(senderTier({ ...facts, envelopeSender: null })).toBe('unverified');
    expect(senderTier({ ...facts, fromAddress: null })).toBe('unverified');
  });
});
