/** The stream's /metrics families: connections and their closes, subscriptions, published messages, and the upstream feed actor as the stream sees it. */
import type { UpstreamState } from '../../../actors/upstream-actor'
import type { UpstreamHealthView } from '../../../actors/connection-context'
import { CloseCode } from '../../../contract/protocol'
import type { MetricFamily } from '../../../core/prometheus'
import { closeLabels } from '../../../stream/stream-counters'
import type { StreamModule, StreamStatus } from '../../../stream/stream-module'
import { counter, gauge, labelled, oneOf, sum } from './family-builders'

type StreamCounts = ReturnType<StreamModule['counters']>

const upstreamStates: UpstreamState[] = ['idle', 'connecting', 'connected', 'reconnecting', 'failed']
const clientViews: UpstreamHealthView['upstream'][] = ['ok', 'degraded', 'reconnecting']

export function streamFamilies(status: StreamStatus, { sockets, published }: StreamCounts): MetricFamily[] {
  const perSymbol = Object.values(status.symbols)
  return [
    gauge(
      'marketwatch_stream_accepting',
      '1 while the stream accepts connections, 0 while shutting down.',
      +status.accepting,
    ),
    gauge('marketwatch_stream_connections', 'Stream connections open on this replica.', status.connections),
    gauge('marketwatch_stream_users', 'Distinct users with a live stream connection on this replica.', status.users),
    counter('marketwatch_stream_connections_opened_total', 'Stream connections admitted since start.', sockets.opened),
    counter(
      'marketwatch_stream_connections_closed_total',
      'Admitted stream connections closed, by close code (either side); opened minus closed is open.',
      labelled(sockets.closes, closeLabels),
    ),
    counter(
      'marketwatch_stream_handshakes_refused_total',
      'Stream handshakes refused before admission, by close code (auth, origin, shutdown).',
      labelled(sockets.refusals, (name) => closeLabels(CloseCode[name])),
    ),
    counter(
      'marketwatch_stream_errors_sent_total',
      'Error messages sent to stream clients, by code: quota and limit refusals, protocol errors, and the error before each server-initiated close.',
      labelled(sockets.errorsSent, (code) => ({ code })),
    ),
    gauge(
      'marketwatch_stream_subscriptions',
      'Symbol subscriptions of the connections on this replica.',
      sum(perSymbol),
    ),
    gauge('marketwatch_stream_symbols', 'Symbols with at least one subscriber on this replica.', perSymbol.length),
    gauge(
      'marketwatch_stream_symbol_actors',
      'Symbol actors running on this replica (the upstream holder; includes grace).',
      status.actors.length,
    ),
    gauge(
      'marketwatch_stream_conflating_connections',
      'Connections reading too slowly and getting latest-value delivery.',
      status.conflating,
    ),
    counter(
      'marketwatch_stream_messages_published_total',
      'Market messages published to local topics, by type; one per message, whatever the number of subscribers.',
      labelled(Object.entries(published.messages), (type) => ({ type })),
    ),
    counter(
      'marketwatch_stream_published_bytes_total',
      'Bytes of the market messages published to local topics.',
      published.bytes,
    ),
    gauge('marketwatch_upstream_holding', '1 when this replica holds the upstream feed.', +status.holdingUpstream),
    gauge(
      'marketwatch_upstream_state',
      "State of this replica's upstream feed actor (1 on the current state; idle when not the holder).",
      oneOf('state', status.upstream.state, upstreamStates),
    ),
    counter(
      'marketwatch_upstream_reconnects_total',
      'Upstream feed sessions opened after the first one.',
      Math.max(0, status.upstream.sessions - 1),
    ),
    counter(
      'marketwatch_stream_actor_restarts_total',
      'Supervised pipeline actors (symbol hub, upstream feed actor) replaced after a failure.',
      labelled(Object.entries(status.restarts), (actor) => ({ actor })),
    ),
    gauge(
      'marketwatch_stream_upstream_view',
      'What stream clients are told about the feed (1 on the current value), from the holder and bus health.',
      oneOf('upstream', status.client.upstream, clientViews),
    ),
    gauge(
      'marketwatch_stream_quotes_available',
      'Whether the feed sends quotes: 0 once the provider refused the quote channel (a plan without quotes), else 1.',
      status.client.quotes === undefined ? 1 : 0,
    ),
  ]
}
