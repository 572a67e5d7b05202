/** Bun WebSocket server options for the stream; Bun takes them once per server, so the root Elysia instance must be given them. */
import type { WebSocketHandler } from 'bun'
import type { StreamLimits } from '../actors/connection-actor'

/** Frames above this are closed by Bun itself with 1009; frames above maxMessageBytes get MESSAGE_TOO_BIG first. */
export const hardFrameLimitBytes = 64 * 1024

/**
 * - our own sweep sends pings and enforces the heartbeat (4001), so Bun's pings are off and its
 *   idle timeout is only a backstop well beyond two heartbeats;
 * - Bun skips (silently drops) a topic message for a socket above `backpressureLimit`: the limit
 *   sits at twice our send-buffer bound, far above where the sweep conflates and closes 4002,
 *   and if a burst still reaches it Bun closes the socket rather than dropping silently.
 */
export function streamWebSocketOptions(limits: StreamLimits): Omit<WebSocketHandler<never>, 'message'> {
  return {
    maxPayloadLength: Math.max(hardFrameLimitBytes, limits.maxMessageBytes + 1),
    idleTimeout: Math.min(960, Math.ceil((2 * limits.heartbeatMs) / 1000) + 30),
    sendPings: false,
    backpressureLimit: 2 * limits.sendBufferBytes,
    closeOnBackpressureLimit: true,
    perMessageDeflate: false,
    publishToSelf: false,
  }
}
