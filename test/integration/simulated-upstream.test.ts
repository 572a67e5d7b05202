/** SimulatedUpstream against the UpstreamRest contract, on a SimulatedClock at the contract's moment. */
import { SimulatedClock } from '../../src/adapters/memory/simulated-clock'
import { SimulatedUpstream } from '../../src/adapters/simulated/simulated-upstream'
import { upstreamRestContract } from '../contracts/upstream-rest.contract'

/** Wednesday 2025-03-12 14:00 New York (EDT): the market is open. */
const NOW = Date.UTC(2025, 2, 12, 18, 0)

upstreamRestContract('SimulatedUpstream', NOW, () => new SimulatedUpstream({ clock: new SimulatedClock(NOW) }))
