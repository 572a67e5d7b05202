/** EnvReader: reads typed values (strings, bounded integers, enums, booleans, URLs) from the environment, collecting every problem instead of stopping at the first. */
export type Env = Record<string, string | undefined>
export type Problem = { key: string; message: string }

/** Reads typed values from env, collecting every problem instead of stopping at the first. */
export class EnvReader {
  readonly problems: Problem[] = []
  constructor(private env: Env) {}

  str(key: string, fallback: string): string {
    const v = this.env[key]
    return v === undefined || v === '' ? fallback : v
  }
  optional(key: string): string | null {
    const v = this.env[key]
    return v === undefined || v === '' ? null : v
  }
  int(key: string, fallback: number, min: number, max: number): number {
    const raw = this.env[key]
    if (raw === undefined || raw === '') return fallback
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push({ key, message: `must be an integer from ${min} to ${max}, got "${raw}"` })
      return fallback
    }
    return n
  }
  oneOf<T extends string>(key: string, fallback: T, allowed: readonly T[]): T {
    const raw = this.env[key]
    if (raw === undefined || raw === '') return fallback
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problems.push({ key, message: `must be one of ${allowed.join(', ')}, got "${raw}"` })
      return fallback
    }
    return raw as T
  }
  bool(key: string, fallback: boolean): boolean {
    const raw = this.env[key]?.toLowerCase()
    if (raw === undefined || raw === '') return fallback
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true
    if (['0', 'false', 'no', 'off'].includes(raw)) return false
    this.problems.push({ key, message: `must be true or false, got "${this.env[key]}"` })
    return fallback
  }
  url(key: string, protocols: string[]): string | null {
    const raw = this.optional(key)
    if (raw === null) return null
    try {
      const u = new URL(raw)
      if (!protocols.includes(u.protocol)) throw new Error()
      return raw
    } catch {
      this.problems.push({ key, message: `must be a ${protocols.join(' or ')} URL` })
      return null
    }
  }
}
