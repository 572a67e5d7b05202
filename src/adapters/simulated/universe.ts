/** The simulated market's fixed universe: 200 real US stocks and the common ETFs, with names, types, listing exchanges and plausible base prices. */

export interface SimulatedTicker {
  /** Provider-style symbol, case-sensitive (e.g. `AAPL`, `BRK.B`). */
  ticker: string
  name: string
  /** Price level the simulated random walk oscillates around, in USD. */
  basePrice: number
  /** The provider's type code: CS (common stock) or ETF. */
  type: 'CS' | 'ETF'
  /** Primary listing exchange (ISO 10383 MIC), as the provider names it. */
  exchange: 'XNAS' | 'XNYS' | 'ARCX'
}

// Ordered roughly by market capitalisation; the position also sets trading activity (see market.ts).
const UNIVERSE_ROWS: readonly (readonly [string, string, number])[] = [
  ['AAPL', 'Apple Inc.', 228.5],
  ['MSFT', 'Microsoft Corporation', 420.1],
  ['NVDA', 'NVIDIA Corporation', 135.2],
  ['AMZN', 'Amazon.com, Inc.', 195.4],
  ['GOOGL', 'Alphabet Inc. Class A', 170.3],
  ['META', 'Meta Platforms, Inc.', 560.7],
  ['TSLA', 'Tesla, Inc.', 250.6],
  ['BRK.B', 'Berkshire Hathaway Inc. Class B', 460.2],
  ['AVGO', 'Broadcom Inc.', 170.9],
  ['JPM', 'JPMorgan Chase & Co.', 215.3],
  ['LLY', 'Eli Lilly and Company', 880.4],
  ['V', 'Visa Inc.', 280.2],
  ['UNH', 'UnitedHealth Group Incorporated', 580.6],
  ['XOM', 'Exxon Mobil Corporation', 118.4],
  ['MA', 'Mastercard Incorporated', 495.1],
  ['COST', 'Costco Wholesale Corporation', 890.3],
  ['HD', 'The Home Depot, Inc.', 390.8],
  ['PG', 'The Procter & Gamble Company', 170.2],
  ['JNJ', 'Johnson & Johnson', 160.5],
  ['WMT', 'Walmart Inc.', 80.4],
  ['NFLX', 'Netflix, Inc.', 700.2],
  ['ABBV', 'AbbVie Inc.', 190.6],
  ['BAC', 'Bank of America Corporation', 40.1],
  ['CRM', 'Salesforce, Inc.', 280.9],
  ['ORCL', 'Oracle Corporation', 170.4],
  ['AMD', 'Advanced Micro Devices, Inc.', 155.3],
  ['KO', 'The Coca-Cola Company', 70.2],
  ['CVX', 'Chevron Corporation', 150.7],
  ['MRK', 'Merck & Co., Inc.', 110.5],
  ['PEP', 'PepsiCo, Inc.', 170.8],
  ['ADBE', 'Adobe Inc.', 510.3],
  ['TMO', 'Thermo Fisher Scientific Inc.', 600.1],
  ['CSCO', 'Cisco Systems, Inc.', 52.3],
  ['ACN', 'Accenture plc', 350.6],
  ['LIN', 'Linde plc', 460.4],
  ['MCD', "McDonald's Corporation", 295.2],
  ['ABT', 'Abbott Laboratories', 115.7],
  ['WFC', 'Wells Fargo & Company', 60.3],
  ['DIS', 'The Walt Disney Company', 95.4],
  ['INTU', 'Intuit Inc.', 620.5],
  ['QCOM', 'QUALCOMM Incorporated', 165.2],
  ['TXN', 'Texas Instruments Incorporated', 200.6],
  ['IBM', 'International Business Machines Corporation', 215.8],
  ['GE', 'GE Aerospace', 180.3],
  ['DHR', 'Danaher Corporation', 270.1],
  ['AMGN', 'Amgen Inc.', 320.4],
  ['CAT', 'Caterpillar Inc.', 380.9],
  ['VZ', 'Verizon Communications Inc.', 42.1],
  ['PFE', 'Pfizer Inc.', 29.2],
  ['NOW', 'ServiceNow, Inc.', 900.5],
  ['ISRG', 'Intuitive Surgical, Inc.', 480.3],
  ['GS', 'The Goldman Sachs Group, Inc.', 500.7],
  ['PM', 'Philip Morris International Inc.', 120.4],
  ['NEE', 'NextEra Energy, Inc.', 80.6],
  ['UNP', 'Union Pacific Corporation', 245.2],
  ['CMCSA', 'Comcast Corporation', 40.3],
  ['SPGI', 'S&P Global Inc.', 510.8],
  ['RTX', 'RTX Corporation', 120.5],
  ['AMAT', 'Applied Materials, Inc.', 200.2],
  ['T', 'AT&T Inc.', 22.1],
  ['UBER', 'Uber Technologies, Inc.', 75.3],
  ['LOW', "Lowe's Companies, Inc.", 260.4],
  ['AXP', 'American Express Company', 265.7],
  ['BKNG', 'Booking Holdings Inc.', 4000.5],
  ['HON', 'Honeywell International Inc.', 205.3],
  ['MS', 'Morgan Stanley', 105.6],
  ['PGR', 'The Progressive Corporation', 250.2],
  ['COP', 'ConocoPhillips', 110.8],
  ['ELV', 'Elevance Health, Inc.', 520.4],
  ['BLK', 'BlackRock, Inc.', 900.9],
  ['SYK', 'Stryker Corporation', 360.3],
  ['TJX', 'The TJX Companies, Inc.', 115.2],
  ['C', 'Citigroup Inc.', 63.4],
  ['VRTX', 'Vertex Pharmaceuticals Incorporated', 470.6],
  ['BSX', 'Boston Scientific Corporation', 82.5],
  ['REGN', 'Regeneron Pharmaceuticals, Inc.', 1000.2],
  ['SCHW', 'The Charles Schwab Corporation', 65.1],
  ['MDT', 'Medtronic plc', 88.7],
  ['PLD', 'Prologis, Inc.', 125.3],
  ['LMT', 'Lockheed Martin Corporation', 570.4],
  ['ADP', 'Automatic Data Processing, Inc.', 280.6],
  ['BA', 'The Boeing Company', 160.2],
  ['MMC', 'Marsh & McLennan Companies, Inc.', 225.9],
  ['CB', 'Chubb Limited', 280.3],
  ['ETN', 'Eaton Corporation plc', 330.5],
  ['PANW', 'Palo Alto Networks, Inc.', 350.8],
  ['ADI', 'Analog Devices, Inc.', 225.4],
  ['KLAC', 'KLA Corporation', 780.2],
  ['LRCX', 'Lam Research Corporation', 80.1],
  ['MU', 'Micron Technology, Inc.', 100.6],
  ['DE', 'Deere & Company', 400.3],
  ['SBUX', 'Starbucks Corporation', 95.7],
  ['GILD', 'Gilead Sciences, Inc.', 80.9],
  ['BMY', 'Bristol-Myers Squibb Company', 50.4],
  ['MDLZ', 'Mondelez International, Inc.', 72.3],
  ['INTC', 'Intel Corporation', 22.6],
  ['CI', 'The Cigna Group', 350.2],
  ['SO', 'The Southern Company', 88.5],
  ['ANET', 'Arista Networks, Inc.', 380.7],
  ['FI', 'Fiserv, Inc.', 190.1],
  ['MO', 'Altria Group, Inc.', 50.8],
  ['DUK', 'Duke Energy Corporation', 115.4],
  ['ZTS', 'Zoetis Inc.', 185.2],
  ['SHW', 'The Sherwin-Williams Company', 370.6],
  ['ICE', 'Intercontinental Exchange, Inc.', 160.3],
  ['CME', 'CME Group Inc.', 220.5],
  ['SNPS', 'Synopsys, Inc.', 510.9],
  ['CDNS', 'Cadence Design Systems, Inc.', 270.4],
  ['EQIX', 'Equinix, Inc.', 880.6],
  ['CL', 'Colgate-Palmolive Company', 100.2],
  ['WM', 'Waste Management, Inc.', 210.7],
  ['TT', 'Trane Technologies plc', 380.1],
  ['MCK', 'McKesson Corporation', 560.3],
  ['PYPL', 'PayPal Holdings, Inc.', 75.6],
  ['CVS', 'CVS Health Corporation', 58.2],
  ['APH', 'Amphenol Corporation', 65.4],
  ['TGT', 'Target Corporation', 155.8],
  ['MMM', '3M Company', 130.3],
  ['ITW', 'Illinois Tool Works Inc.', 255.1],
  ['NOC', 'Northrop Grumman Corporation', 520.6],
  ['USB', 'U.S. Bancorp', 48.2],
  ['PNC', 'The PNC Financial Services Group, Inc.', 185.7],
  ['ORLY', "O'Reilly Automotive, Inc.", 1150.4],
  ['EOG', 'EOG Resources, Inc.', 125.9],
  ['GD', 'General Dynamics Corporation', 300.2],
  ['FDX', 'FedEx Corporation', 280.5],
  ['MSI', 'Motorola Solutions, Inc.', 450.3],
  ['CSX', 'CSX Corporation', 34.1],
  ['BDX', 'Becton, Dickinson and Company', 235.6],
  ['EMR', 'Emerson Electric Co.', 110.4],
  ['ABNB', 'Airbnb, Inc.', 135.2],
  ['MAR', 'Marriott International, Inc.', 250.8],
  ['NKE', 'NIKE, Inc.', 80.3],
  ['AON', 'Aon plc', 360.5],
  ['ROP', 'Roper Technologies, Inc.', 550.1],
  ['CRWD', 'CrowdStrike Holdings, Inc.', 300.7],
  ['MRVL', 'Marvell Technology, Inc.', 80.2],
  ['FCX', 'Freeport-McMoRan Inc.', 48.6],
  ['SLB', 'Schlumberger Limited', 42.3],
  ['PSX', 'Phillips 66', 130.4],
  ['MPC', 'Marathon Petroleum Corporation', 160.9],
  ['AJG', 'Arthur J. Gallagher & Co.', 290.2],
  ['NSC', 'Norfolk Southern Corporation', 250.5],
  ['GM', 'General Motors Company', 50.1],
  ['F', 'Ford Motor Company', 11.2],
  ['TFC', 'Truist Financial Corporation', 43.4],
  ['COF', 'Capital One Financial Corporation', 150.3],
  ['AIG', 'American International Group, Inc.', 75.8],
  ['ADSK', 'Autodesk, Inc.', 275.4],
  ['HLT', 'Hilton Worldwide Holdings Inc.', 230.6],
  ['PCAR', 'PACCAR Inc', 100.2],
  ['AZO', 'AutoZone, Inc.', 3100.4],
  ['WELL', 'Welltower Inc.', 125.7],
  ['SPG', 'Simon Property Group, Inc.', 165.3],
  ['AMT', 'American Tower Corporation', 215.1],
  ['O', 'Realty Income Corporation', 60.4],
  ['CCI', 'Crown Castle Inc.', 105.2],
  ['PSA', 'Public Storage', 340.8],
  ['DLR', 'Digital Realty Trust, Inc.', 160.6],
  ['KMB', 'Kimberly-Clark Corporation', 140.3],
  ['GIS', 'General Mills, Inc.', 70.5],
  ['KHC', 'The Kraft Heinz Company', 35.2],
  ['HSY', 'The Hershey Company', 190.4],
  ['STZ', 'Constellation Brands, Inc.', 250.1],
  ['KDP', 'Keurig Dr Pepper Inc.', 36.3],
  ['MNST', 'Monster Beverage Corporation', 52.7],
  ['EL', 'The Estée Lauder Companies Inc.', 90.2],
  ['CMG', 'Chipotle Mexican Grill, Inc.', 57.4],
  ['YUM', 'Yum! Brands, Inc.', 135.6],
  ['DG', 'Dollar General Corporation', 85.3],
  ['DLTR', 'Dollar Tree, Inc.', 70.8],
  ['ROST', 'Ross Stores, Inc.', 150.2],
  ['LULU', 'lululemon athletica inc.', 300.5],
  ['EBAY', 'eBay Inc.', 62.1],
  ['ETSY', 'Etsy, Inc.', 55.4],
  ['DAL', 'Delta Air Lines, Inc.', 50.6],
  ['UAL', 'United Airlines Holdings, Inc.', 60.3],
  ['LUV', 'Southwest Airlines Co.', 30.2],
  ['CCL', 'Carnival Corporation', 20.4],
  ['RCL', 'Royal Caribbean Cruises Ltd.', 180.7],
  ['EXPE', 'Expedia Group, Inc.', 150.5],
  ['DPZ', "Domino's Pizza, Inc.", 420.3],
  ['HUM', 'Humana Inc.', 260.8],
  ['CNC', 'Centene Corporation', 70.1],
  ['HCA', 'HCA Healthcare, Inc.', 370.4],
  ['IDXX', 'IDEXX Laboratories, Inc.', 480.2],
  ['DXCM', 'DexCom, Inc.', 75.5],
  ['MRNA', 'Moderna, Inc.', 70.3],
  ['BIIB', 'Biogen Inc.', 195.6],
  ['ILMN', 'Illumina, Inc.', 130.2],
  ['ON', 'ON Semiconductor Corporation', 70.7],
  ['NXPI', 'NXP Semiconductors N.V.', 240.4],
  ['MCHP', 'Microchip Technology Incorporated', 75.1],
  ['SWKS', 'Skyworks Solutions, Inc.', 100.3],
  ['HPQ', 'HP Inc.', 35.6],
  ['DELL', 'Dell Technologies Inc.', 120.2],
  ['WDAY', 'Workday, Inc.', 240.5],
  ['FTNT', 'Fortinet, Inc.', 75.9],
  ['DDOG', 'Datadog, Inc.', 115.3],
  ['SNOW', 'Snowflake Inc.', 130.6],
]

// Exchange-traded funds, after the stocks so every stock keeps its trading activity (rank) in market.ts.
const ETF_ROWS: readonly (readonly [string, string, number])[] = [
  ['SPY', 'SPDR S&P 500 ETF Trust', 590.2],
  ['QQQ', 'Invesco QQQ Trust, Series 1', 505.4],
  ['IWM', 'iShares Russell 2000 ETF', 225.3],
  ['DIA', 'SPDR Dow Jones Industrial Average ETF Trust', 430.6],
  ['VOO', 'Vanguard S&P 500 ETF', 542.8],
  ['XLK', 'Technology Select Sector SPDR Fund', 230.5],
  ['XLF', 'Financial Select Sector SPDR Fund', 48.7],
  ['XLE', 'Energy Select Sector SPDR Fund', 92.4],
  ['XLV', 'Health Care Select Sector SPDR Fund', 145.2],
  ['XLY', 'Consumer Discretionary Select Sector SPDR Fund', 205.1],
  ['XLI', 'Industrial Select Sector SPDR Fund', 135.6],
  ['XLP', 'Consumer Staples Select Sector SPDR Fund', 80.3],
  ['XLU', 'Utilities Select Sector SPDR Fund', 78.9],
  ['SMH', 'VanEck Semiconductor ETF', 245.7],
]

/** Stocks listed on Nasdaq; every other stock here is listed on the NYSE (ETFs on NYSE Arca, QQQ on Nasdaq). */
const NASDAQ = new Set(
  (
    'AAPL MSFT NVDA AMZN GOOGL META TSLA AVGO COST NFLX ADBE CSCO INTU QCOM TXN AMD AMGN ISRG CMCSA AMAT BKNG HON ' +
    'VRTX REGN ADP PANW ADI KLAC LRCX MU SBUX GILD MDLZ INTC SNPS CDNS EQIX PYPL ORLY CSX ABNB MAR CRWD MRVL ' +
    'ADSK PCAR KHC KDP MNST EBAY ETSY DLTR ROST LULU UAL EXPE DXCM MRNA BIIB ILMN ON NXPI MCHP SWKS WDAY FTNT ' +
    'DDOG CME PEP LIN IDXX DPZ QQQ SMH'
  ).split(' '),
)

/** Every simulated ticker, in a fixed order (largest first). */
export const simulatedUniverse: readonly SimulatedTicker[] = [
  ...UNIVERSE_ROWS.map(([ticker, name, basePrice]) => row(ticker, name, basePrice, 'CS')),
  ...ETF_ROWS.map(([ticker, name, basePrice]) => row(ticker, name, basePrice, 'ETF')),
]

function row(ticker: string, name: string, basePrice: number, type: 'CS' | 'ETF'): SimulatedTicker {
  const exchange = NASDAQ.has(ticker) ? 'XNAS' : type === 'ETF' ? 'ARCX' : 'XNYS'
  return { ticker, name, basePrice, type, exchange }
}

const BY_TICKER: ReadonlyMap<string, SimulatedTicker> = new Map(simulatedUniverse.map((s) => [s.ticker, s]))

/** True when the simulated market trades this ticker (case-sensitive, like the provider). */
export function isKnownTicker(ticker: string): boolean {
  return BY_TICKER.has(ticker)
}

/** The universe entry for a ticker, or undefined when unknown. */
export function findSimulatedTicker(ticker: string): SimulatedTicker | undefined {
  return BY_TICKER.get(ticker)
}

/**
 * Tickers matching `text` (case-insensitive), best first: the exact ticker, tickers starting with
 * it, names with a word starting with it, then names containing it; universe order within each.
 */
export function searchSimulatedTickers(text: string, limit: number): SimulatedTicker[] {
  const q = text.trim().toUpperCase()
  if (!q) return []
  const rank = (s: SimulatedTicker): number => {
    const name = s.name.toUpperCase()
    if (s.ticker === q) return 0
    if (s.ticker.startsWith(q)) return 1
    if (name.startsWith(q) || name.includes(` ${q}`)) return 2
    if (name.includes(q)) return 3
    return 4
  }
  return simulatedUniverse
    .map((s, i) => ({ s, r: rank(s), i }))
    .filter((m) => m.r < 4)
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .slice(0, limit)
    .map((m) => m.s)
}
