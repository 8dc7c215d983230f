import { automaticReason, autoReplySuppressed, type HeaderValues } from '../../../letter/automatic';

describe('automatic mail (RFC 3834)', () => {
  const person = 'clerk@moe.go.th';
  const from = (headers: HeaderValues, mailFrom: string | null = person) => automaticReason({ mailFrom, fromAddress: mailFrom, headers });

  it('treats a letter from a person as not automatic', () => {
    expect(from({})).toBeNull();
    expect(from({ 'auto-submitted': 'no' })).toBeNull();
    expect(from({ 'auto-submitted': 'No ; comment' })).toBeNull();
    expect(from({ precedence: 'normal' })).toBeNull();
    expect(from({ 'content-type': 'multipart/mixed; boundary=x' })).toBeNull();
    expect(from({}, 'saraban@moi.go.th')).toBeNull();
  });

  it('treats the null sender (bounces, notifications) as automatic', () => {
    expect(from({}, null)).toBe('null-sender');
    expect(from({}, '')).toBe('null-sender');
  });

  it.each(['auto-replied', 'auto-generated', 'Auto-Notified', 'auto-replied; owner-email="a@b"'])(
    'treats Auto-Submitted: %s as automatic',
    (value) => {
      expect(from({ 'auto-submitted': value })).toBe('auto-submitted');
    },
  );

  it.each(['bulk', 'junk', 'list', ' List '])('treats Precedence: %s as automatic', (value) => {
    expect(from({ precedence: value })).toBe('precedence');
  });

  it('treats mail from a list (List-Id, List-Unsubscribe) as automatic', () => {
    expect(from({ 'list-id': '<news.example.go.th>' })).toBe('list');
    expect(from({ 'list-id': '' })).toBe('list');
    expect(from({ 'list-unsubscribe': '<mailto:leave@lists.example.go.th>' })).toBe('list');
  });

  it('treats a delivery or read report (multipart/report) as automatic, whoever sent it', () => {
    expect(from({ 'content-type': 'multipart/report; report-type=delivery-status; boundary="b"' })).toBe('report');
    expect(from({ 'content-type': 'Multipart/Report; report-type=disposition-notification' })).toBe('report');
  });

  it('treats the older auto-responder marks (X-Autoreply, X-Autorespond) as automatic', () => {
    expect(from({ 'x-autoreply': 'yes' })).toBe('auto-reply-header');
    expect(from({ 'x-autorespond': '' })).toBe('auto-reply-header');
  });

  it.each([
    'MAILER-DAEMON@mx.moe.go.th',
    'postmaster@moe.go.th',
    'no-reply@moe.go.th',
    'noreply@moe.go.th',
    'do-not-reply@x.go.th',
    'donotreply@x.go.th',
    'bounces+123@lists.x.go.th',
  ])('treats mail from %s as automatic', (address) => {
    expect(from({}, address)).toBe('daemon-sender');
  });

  it('looks at the From address as well as the envelope sender', () => {
    expect(automaticReason({ mailFrom: 'relay@moe.go.th', fromAddress: 'noreply@moe.go.th', headers: {} })).toBe('daemon-sender');
  });

  it('does not take a person whose name merely contains those words for a machine', () => {
    expect(from({}, 'postmaster.office@moe.go.th')).toBeNull();
    expect(from({}, 'replyteam@moe.go.th')).toBeNull();
  });

  it('treats mail from our own central addresses as ours coming back', () => {
    const own = ['saraban@example.go.th'];
    expect(automaticReason({ mailFrom: 'Saraban@Example.go.th', headers: {}, ownAddresses: own })).toBe('own-address');
    expect(automaticReason({ mailFrom: 'x@moe.go.th', fromAddress: 'saraban@example.go.th', headers: {}, ownAddresses: own })).toBe(
      'own-address',
    );
    expect(automaticReason({ mailFrom: 'saraban@moe.go.th', headers: {}, ownAddresses: own })).toBeNull();
  });

  it("treats a message carrying any saraban-gateway's loop header as automatic: ours, or another gateway's", () => {
    expect(from({ 'x-saraban-loop': 'example.go.th' })).toBe('gateway-loop-header');
    expect(from({ 'x-saraban-loop': 'moe.go.th' })).toBe('gateway-loop-header');
    expect(from({ 'x-saraban-loop': '' })).toBe('gateway-loop-header');
  });
});

describe('a sender asking for no automatic reply (X-Auto-Response-Suppress)', () => {
  it.each(['All', 'all', 'AutoReply', 'DR, AutoReply', 'OOF;AutoReply', 'DR, NDR, RN, NRN, OOF, AutoReply'])(
    'is not answered when the header says %s, with the value in the reason',
    (value) => {
      expect(autoReplySuppressed({ 'x-auto-response-suppress': value })).toBe(`sender asked for none (X-Auto-Response-Suppress: ${value})`);
    },
  );

  it('is answered when the header asks only that reports or out-of-office replies be held back, or is absent', () => {
    expect(autoReplySuppressed({ 'x-auto-response-suppress': 'OOF' })).toBeNull();
    expect(autoReplySuppressed({ 'x-auto-response-suppress': 'DR, NDR, RN, NRN' })).toBeNull();
    expect(autoReplySuppressed({})).toBeNull();
  });

  it('does not make the message automatic: a letter carrying it is still registered', () => {
    expect(automaticReason({ mailFrom: 'clerk@moe.go.th', headers: { 'x-auto-response-suppress': 'All' } })).toBeNull();
  });
});
