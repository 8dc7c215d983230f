import { useGatewayAndDesk } from '../support/desk';
import { sendLetter, waitFor } from '../support/services';

// The whole path to the desk on real services: a letter e-mailed to saraban@ is kept,
// registered, routed by the settings' rules to a unit and in turn to one of its officers, who
// finds it in their queue over HTTP; returned, its sender is mailed the reason.
describe('a letter e-mailed to saraban@, at the desk', () => {
  const env = useGatewayAndDesk(
    [
      ['clerk', 'SARABAN'],
      ['fin1', 'FIN'],
      ['fin2', 'FIN'],
    ],
    { centralUnit: 'SARABAN', rules: [{ name: 'งบประมาณ', when: { titleWords: 'งบประมาณ' }, to: { unit: 'FIN' } }] },
  );

  const api = async (who: string, path: string, init: RequestInit = {}) => {
    const response = await fetch(`http://127.0.0.1:${env.app.deskPort}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${env.tokens[who]}`, 'content-type': 'application/json' },
    });
    return { status: response.status, body: (await response.json()) as { items: Array<Record<string, unknown>>; assignments: unknown } };
  };
  const queueOf = async (who: string) => (await api(who, '/api/letters')).body.items;

  it("ends up in the queue of the officer whose turn it is in the unit the rule names, and in no one else's", async () => {
    await sendLetter(env.app.smtpPort!, {
      subject: 'ที่ กค 0402/1234 ลงวันที่ 1 ธันวาคม 2569 เรื่อง ขออนุมัติงบประมาณรายจ่ายประจำปี',
      messageId: '<budget-1@mof.go.th>',
      from: 'saraban@mof.go.th',
    });
    const [item] = (await waitFor(async () => {
      const items = await queueOf('fin1');
      return items.length ? items : undefined;
    }, "the letter in fin1's queue"))!;
    expect(item).toMatchObject({
      title: 'ขออนุมัติงบประมาณรายจ่ายประจำปี',
      reference: 'กค 0402/1234',
      state: 'assigned',
      assignee: { unit: { code: 'FIN' }, officer: { username: 'fin1' } },
    });
    expect(await queueOf('fin2')).toEqual([]);
    expect(await queueOf('clerk')).toEqual([]);

    const detail = await api('fin1', `/api/letters/${item.id}`);
    expect(detail.body.assignments).toMatchObject([{ purpose: 'act', source: 'routing', rule: 'งบประมาณ' }]);

    // The next letter for the unit goes to the next officer; one no rule takes, to the central unit.
    await sendLetter(env.app.smtpPort!, { subject: 'เรื่อง เบิกจ่ายงบประมาณ ไตรมาส 1', messageId: '<budget-2@mof.go.th>' });
    await sendLetter(env.app.smtpPort!, { subject: 'เรื่อง ขอเชิญประชุม', messageId: '<meeting@moe.go.th>' });
    await waitFor(async () => (await queueOf('fin2')).length === 1 && (await queueOf('clerk')).length === 1, 'the next two letters routed');
  });

  it("mails the sender of a returned letter its number and the officer's reason", async () => {
    const [item] = await queueOf('fin1');
    const returned = await api('fin1', `/api/letters/${item.id}/actions`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'return', reason: 'โปรดส่งถึงกรมบัญชีกลางโดยตรง' }),
    });
    expect(returned).toEqual({ status: 200, body: { state: 'returned', stateName: 'ส่งคืน', event: expect.any(Number) } });
    const notice = (await waitFor(() => env.relay.messages.find((m) => m.parsed.subject?.startsWith('ส่งคืนหนังสือ')), 'the returned notice'))!;
    expect(notice.envelope.rcptTo).toEqual(['saraban@mof.go.th']);
    expect(notice.parsed.subject).toMatch(/^ส่งคืนหนังสือ เลขรับ \d+\/\d{4} \/ Letter returned/);
    expect(notice.parsed.text).toContain('โปรดส่งถึงกรมบัญชีกลางโดยตรง');
    expect(notice.parsed.text).toContain('Reason code: SB-RETURNED');
    expect(notice.parsed.inReplyTo).toBe('<budget-1@mof.go.th>');
    expect(notice.parsed.headers.get('auto-submitted')).toBe('auto-replied');
  });
});
