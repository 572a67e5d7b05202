/** Checks baseline (b) with the official socket.io-client: connect with a token, subscribe, receive one trade. Prints one JSON line. */
import { io } from 'socket.io-client'

const [url, token, symbol] = process.argv.slice(2)
const socket = io(url, { transports: ['websocket'], auth: { token }, reconnection: false, timeout: 5000 })
const fail = (why) => {
  process.stdout.write(JSON.stringify({ ok: false, why }) + '\n')
  process.exit(1)
}
setTimeout(() => fail('no trade within 10 s'), 10_000).unref()
socket.on('connect_error', (e) => fail(`connect_error: ${e.message}`))
socket.on('connect', () => socket.emit('subscribe', [symbol], () => {}))
socket.on('trade', (msg) => {
  process.stdout.write(JSON.stringify({ ok: true, bytes: JSON.stringify(msg).length, symbol: msg.symbol }) + '\n')
  socket.close()
  process.exit(0)
})
