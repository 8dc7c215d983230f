/**
 * A request the desk refuses, as a value: the HTTP status, a stable code for programs and a
 * message for people (Thai first where an officer meets it, English for whoever scripts the API).
 */
export class DeskError extends Error {
  override name = 'DeskError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const unauthenticated = () =>
  new DeskError(
    401,
    'unauthenticated',
    'กรุณาเข้าสู่ระบบ (sign in first: a session cookie from POST /login, or Authorization: Bearer <token>)',
  );

export const forbidden = () => new DeskError(403, 'forbidden', 'ท่านไม่มีสิทธิ์ทำรายการนี้ (your role does not allow this)');
