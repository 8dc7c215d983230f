import { automaticReason } from '../../letter/automatic';

describe('automatic mail (RFC 3834)', () => {
  const person = 'clerk@moe.go.th';

  it('treats a letter from a person as not automatic', () => {
    expect(automaticReason(person, {})).toBeNull();
    expect(automaticReason(person, { 'auto-submitted': 'no' })).toBeNull();
    expect(automaticReason(person, { 'auto-submitted': 'No ; comment' })).toBeNull();
    expect(automaticReason(person, { precedence: 'normal' })).toBeNull();
  });

  it('treats the null sender (bounces, notifications) as automatic', () => {
    expect(automaticReason(null, {})).toBe('null-sender');
    expect(automaticReason('', {})).toBe('null-sender');
  });

  it.each(['auto-replied', 'auto-generated', 'Auto-Notified', 'auto-replied; owner-email="a@b"'])(
    'treats Auto-Submitted: %s as automatic',
    (value) => {
      expect(automaticReason(person, { 'auto-submitted': value })).toBe('auto-submitted');
    },
  );

  it.each(['bulk', 'junk', 'list', ' List '])('treats Precedence: %s as automatic', (value) => {
    expect(automaticReason(person, { precedence: value })).toBe('precedence');
  });

  it('treats mail from a list (List-Id) as automatic', () => {
    expect(automaticReason(person, { 'list-id': '<news.example.go.th>' })).toBe('list');
    expect(automaticReason(person, { 'list-id': '' })).toBe('list');
  });
});
