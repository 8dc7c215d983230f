import { hashPassword, isPasswordHash, passwordProblem, verifyPassword } from '../../../desk/auth/password';

// A low cost keeps this file quick; the cost travels in the hash, so verifying follows it.
const CHEAP = { ln: 12, r: 8, p: 1 };

describe('passwords', () => {
  it('verifies the password a hash was made of, and no other', async () => {
    const hash = await hashPassword('รหัสผ่านยาวพอสมควร', CHEAP);
    expect(hash).toMatch(/^\$scrypt\$ln=12,r=8,p=1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(isPasswordHash(hash)).toBe(true);
    expect(await verifyPassword('รหัสผ่านยาวพอสมควร', hash)).toBe(true);
    expect(await verifyPassword('รหัสผ่านยาวพอสมควร ', hash)).toBe(false);
  });

  it('salts each hash, so one password gives two different hashes', async () => {
    expect(await hashPassword('the same password', CHEAP)).not.toBe(await hashPassword('the same password', CHEAP));
  });

  it('takes a password typed with a composed or a decomposed accent as the same', async () => {
    const hash = await hashPassword('caf\u00e9-password', CHEAP);
    expect(await verifyPassword('cafe\u0301-password', hash)).toBe(true);
  });

  it('refuses a hash changed in its cost or its salt, and text that is no hash', async () => {
    const hash = await hashPassword('correct horse battery', CHEAP);
    expect(await verifyPassword('correct horse battery', hash.replace('ln=12', 'ln=13'))).toBe(false);
    const [, , , salt] = hash.split('$');
    expect(await verifyPassword('correct horse battery', hash.replace(salt, Buffer.alloc(16, 1).toString('base64')))).toBe(false);
    expect(await verifyPassword('correct horse battery', 'correct horse battery')).toBe(false);
    expect(isPasswordHash('correct horse battery')).toBe(false);
  });

  it('asks for at least 10 characters', () => {
    expect(passwordProblem('short')).toBe('use at least 10 characters');
    expect(passwordProblem('ten chars!')).toBeNull();
  });
});
