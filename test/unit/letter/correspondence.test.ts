import { correspondenceExcerpt, messageIdsAnswered } from '../../../letter/correspondence';

describe('correspondence about a letter', () => {
  it('names the messages answered: In-Reply-To first, then References from the newest, each once', () => {
    expect(
      messageIdsAnswered({
        'in-reply-to': '<ack-2@saraban.example.go.th>',
        references: '<letter-1@moe.go.th> <ack-2@saraban.example.go.th>\t<x@y>',
      }),
    ).toEqual(['<ack-2@saraban.example.go.th>', '<x@y>', '<letter-1@moe.go.th>']);
    expect(messageIdsAnswered({})).toEqual([]);
    expect(messageIdsAnswered({ 'in-reply-to': 'not an id' })).toEqual([]);
  });

  it('looks up at most the 20 newest References of a long thread', () => {
    const references = Array.from({ length: 100 }, (_, i) => `<m${i}@x>`).join(' ');
    const ids = messageIdsAnswered({ references });
    expect(ids).toHaveLength(20);
    expect(ids[0]).toBe('<m99@x>');
  });

  it('keeps what the person wrote, not the quoted reply below it', () => {
    const body = 'ได้รับแล้ว ขอบคุณครับ\n\nสมชาย\n\nเมื่อ 7 ธ.ค. 2569 saraban@example.go.th เขียนว่า:\n> หนังสือของท่านได้ลงทะเบียนรับแล้ว';
    expect(correspondenceExcerpt(body)).toBe('ได้รับแล้ว ขอบคุณครับ\n\nสมชาย');
    expect(correspondenceExcerpt('Thanks\nOn Mon, Dec 7, 2026 Saraban wrote:\n> Registered')).toBe('Thanks');
    expect(correspondenceExcerpt('ก'.repeat(600))).toHaveLength(501);
  });
});
