/** Shared API shapes: the error envelope every failure uses (documented once), and parser-checked fields described by what their parser accepts. */
import { t, type TSchema } from 'elysia'

export const ErrorBody = t.Object(
  {
    error: t.Object({
      code: t.String({ description: 'stable SCREAMING_SNAKE code', examples: ['INVALID_TICKER'] }),
      message: t.String(),
      details: t.Optional(t.Record(t.String(), t.Unknown())),
      request_id: t.String({ description: 'also sent as the X-Request-Id header' }),
    }),
  },
  // No $id: a '#' fragment there is not a valid schema id; the OpenAPI document refers to it as #/components/schemas/Error.
  { title: 'Error', description: 'error envelope' },
)

/** Response map for the error statuses a route can answer with. */
export const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, ErrorBody])) as Record<number, typeof ErrorBody>

/** A JSON Schema object as it appears in the OpenAPI document. */
export type JsonSchema = Record<string, unknown>

/** Extension keys read (and removed) by finishOpenApiDocument. */
export const parserAcceptsKey = 'x-parser-accepts'
export const parserRequiresKey = 'x-parser-requires'

/**
 * A field the route takes loosely (any string, so that its parser answers its own code such as
 * INVALID_TIMESPAN rather than INVALID_REQUEST), documented by what that parser accepts: in the
 * OpenAPI document `accepts` replaces the loose schema, keeping its description and examples, and
 * `required` marks a query parameter the parser requires. Validation is unchanged.
 */
export function parsedBy<T extends TSchema>(loose: T, accepts: JsonSchema, opts: { required?: boolean } = {}): T {
  return Object.assign(loose, { [parserAcceptsKey]: accepts }, opts.required ? { [parserRequiresKey]: true } : {})
}
