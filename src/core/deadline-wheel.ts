/** DeadlineWheel: items filed under the tick their deadline falls in, so a tick visits only the items that are due. */

/**
 * A hashed timer wheel without a fixed size: slot k holds the items whose deadline lies in
 * ((k-1)·tick, k·tick]. `takeDue(now)` empties every slot up to now, so an item is never taken
 * before its deadline and at most one tick after it (plus the caller's timer lateness).
 * Rescheduling moves an item; each item is in at most one slot. Pure: time is passed in.
 */
export class DeadlineWheel<T> {
  private readonly slots = new Map<number, Set<T>>()
  private readonly slotOf = new Map<T, number>()
  /** The lowest slot not yet emptied. */
  private cursor: number

  constructor(
    private readonly tickMs: number,
    now: number,
  ) {
    this.cursor = Math.floor(now / tickMs) + 1
  }

  /** Files `item` to be taken at the first tick at or after `at` (replaces its earlier deadline). */
  schedule(item: T, at: number): void {
    const slot = Math.max(this.cursor, Math.ceil(at / this.tickMs))
    const old = this.slotOf.get(item)
    if (old === slot) return
    if (old !== undefined) this.removeFrom(old, item)
    let set = this.slots.get(slot)
    if (set === undefined) this.slots.set(slot, (set = new Set()))
    set.add(item)
    this.slotOf.set(item, slot)
  }

  /** The item's deadline if it has one (the end of its slot), else undefined. */
  deadlineOf(item: T): number | undefined {
    const slot = this.slotOf.get(item)
    return slot === undefined ? undefined : slot * this.tickMs
  }

  cancel(item: T): void {
    const slot = this.slotOf.get(item)
    if (slot === undefined) return
    this.removeFrom(slot, item)
    this.slotOf.delete(item)
  }

  /** Removes and returns every item whose deadline is at or before `now`, earliest slot first. */
  takeDue(now: number): T[] {
    const last = Math.floor(now / this.tickMs)
    const out: T[] = []
    if (last < this.cursor) return out
    // After a long stall, walk the filed slots rather than every tick in between.
    const keys =
      last - this.cursor > this.slots.size
        ? [...this.slots.keys()].filter((k) => k <= last).sort((a, b) => a - b)
        : null
    const take = (slot: number) => {
      const set = this.slots.get(slot)
      if (set === undefined) return
      this.slots.delete(slot)
      for (const item of set) {
        this.slotOf.delete(item)
        out.push(item)
      }
    }
    if (keys) keys.forEach(take)
    else for (let slot = this.cursor; slot <= last; slot++) take(slot)
    this.cursor = last + 1
    return out
  }

  get size(): number {
    return this.slotOf.size
  }

  private removeFrom(slot: number, item: T): void {
    const set = this.slots.get(slot)
    if (set === undefined) return
    set.delete(item)
    if (set.size === 0) this.slots.delete(slot)
  }
}
