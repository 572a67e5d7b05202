/** Shared API shapes: the error envelope every failure uses, documented once for the OpenAPI document. */
import { t } from 'elysia'

export const ErrorBody = t.Object(
  {
    error: t.Object({
      code: t.String({ description: 'stable SCREAMING_SNAKE code', examples: ['INVALID_TICKER'] }),
      message: t.String(),
      details: t.Optional(t.Record(t.String(), t.Unknown())),
      request_id: t.String({ description: 'also sent as the X-Request-Id header' }),
    }),
  },
  { $id: '#/components/schemas/Error', description: 'error envelope' },
)

/** Response map for the error statuses a route can answer with. */
export const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, ErrorBody])) as Record<number, typeof ErrorBody>
