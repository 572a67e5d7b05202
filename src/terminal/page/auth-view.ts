/** The sign-in / sign-up form: registers and logs in over REST, then hands the token to the page. */
import { ApiError, type RestApi } from '../../client/rest-api'
import type { User } from '../../client/wire'
import { byId, setText } from './dom'

const friendly: Record<string, string> = {
  INVALID_CREDENTIALS: 'Wrong email or password.',
  EMAIL_TAKEN: 'That email already has an account: sign in instead.',
  INVALID_EMAIL: 'Enter a valid email address.',
  INVALID_PASSWORD: 'The password must be 8 to 128 characters.',
  LOGIN_THROTTLED: 'Too many failed attempts: wait a little and try again.',
  NETWORK_ERROR: 'The server cannot be reached.',
}

export class AuthView {
  private form = byId<HTMLFormElement>('auth-form')
  private message = byId('auth-message')

  constructor(
    private api: RestApi,
    private enter: (token: string, user: User) => void,
  ) {
    this.form.addEventListener('submit', (e) => {
      e.preventDefault()
      const submitter = (e as SubmitEvent).submitter as HTMLButtonElement | null
      void this.submit(submitter?.value === 'signup')
    })
  }

  show(message?: string): void {
    setText(this.message, message ?? '')
    this.message.dataset.kind = 'info'
    byId<HTMLInputElement>('auth-email').focus()
  }

  private async submit(signUp: boolean): Promise<void> {
    const email = byId<HTMLInputElement>('auth-email').value.trim()
    const password = byId<HTMLInputElement>('auth-password').value
    this.busy(true)
    try {
      if (signUp) await this.api.register(email, password)
      const login = await this.api.login(email, password)
      setText(this.message, '')
      this.enter(login.token, login.user)
    } catch (e) {
      const code = e instanceof ApiError ? e.code : 'ERROR'
      const wait = e instanceof ApiError && e.retryAfterMs ? ` (${Math.ceil(e.retryAfterMs / 1000)} s)` : ''
      setText(this.message, (friendly[code] ?? (e instanceof Error ? e.message : String(e))) + wait)
      this.message.dataset.kind = 'error'
    } finally {
      this.busy(false)
    }
  }

  private busy(on: boolean): void {
    for (const b of this.form.querySelectorAll('button')) b.disabled = on
  }
}
