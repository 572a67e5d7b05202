/** API shapes of the auth routes. */
import { t } from 'elysia'
import { AcceptedInput } from '../../accepted-input'
import { parsedBy } from '../../model'

export namespace AuthModel {
  /** Registration: the address and password are checked (INVALID_EMAIL, INVALID_PASSWORD). */
  export const registration = t.Object({
    email: parsedBy(
      t.String({ description: 'trimmed and normalised to lower case', examples: ['ada@example.com'] }),
      AcceptedInput.email,
    ),
    password: parsedBy(t.String({ description: '8 to 128 characters' }), AcceptedInput.password),
  })
  /** Sign-in takes any strings: a wrong or malformed email or password is 401 INVALID_CREDENTIALS. */
  export const credentials = t.Object({
    email: t.String({ description: 'compared trimmed and in lower case', examples: ['ada@example.com'] }),
    password: t.String(),
  })
  export const user = t.Object({ id: t.Number(), email: t.String(), created_at: t.String({ format: 'date-time' }) })
  export const userBody = t.Object({ user })
  export const session = t.Object({
    token: t.String({ description: 'JWT (HS256); also set as the HttpOnly cookie mw_token' }),
    token_type: t.Literal('Bearer'),
    expires_at: t.String({ format: 'date-time' }),
    user,
  })
  export const logoutQuery = t.Object({
    everywhere: t.Optional(
      t.Boolean({
        description: 'true: also sign out every other session of this user, on every device',
        default: false,
      }),
    ),
  })
  export const noContent = t.Void({ description: 'signed out (also when no valid token was presented)' })
}
