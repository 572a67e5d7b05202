/** DeadlineWheel: items filed under the tick their deadline falls in, so a tick visits only the items that are due. */

/**
 * The links the wheel keeps on every item it files: items are chained in their slot's list
 * (intrusive), so filing an item costs no map or set entry of its own; tens of thousands of idle
 * connections are each one entry. An item not filed has `wheelSlot` NaN. Only the wheel writes them.
 */
export interface WheelLinks {
  wheelSlot: number
  wheelPrev: WheelLinks | null
  wheelNext: WheelLinks | null
}

/** Fresh links for an item that is not filed (spread into an object, or assigned in a constructor). */
export function unfiled(): WheelLinks {
  return { wheelSlot: Number.NaN, wheelPrev: null, wheelNext: null }
}

interface Slot<T> {
  head: T
  tail: T
}

/**
 * A hashed timer wheel without a fixed size: slot k holds the items whose deadline lies in
 * ((k-1)·tick, k·tick], in the order they were filed. `takeDue(now)` empties every slot up to
 * now, so an item is never taken before its deadline and at most one tick after it (plus the
 * caller's timer lateness). Rescheduling moves an item; each item is in at most one slot (one
 * wheel per item). Pure: time is passed in.
 */
export class DeadlineWheel<T extends WheelLinks> {
  private readonly slots = new Map<number, Slot<T>>()
  private count = 0
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
    if (item.wheelSlot === slot) return
    if (!Number.isNaN(item.wheelSlot)) this.unlink(item)
    const list = this.slots.get(slot)
    item.wheelNext = null
    if (list === undefined) {
      item.wheelPrev = null
      this.slots.set(slot, { head: item, tail: item })
    } else {
      item.wheelPrev = list.tail
      list.tail.wheelNext = item
      list.tail = item
    }
    item.wheelSlot = slot
    this.count++
  }

  /** The item's deadline if it has one (the end of its slot), else undefined. */
  deadlineOf(item: T): number | undefined {
    return Number.isNaN(item.wheelSlot) ? undefined : item.wheelSlot * this.tickMs
  }

  cancel(item: T): void {
    if (!Number.isNaN(item.wheelSlot)) this.unlink(item)
  }

  /** Removes and returns every item whose deadline is at or before `now`, earliest slot first. */
  takeDue(now: number): T[] {
    const last = Math.floor(now / this.tickMs)
    const out: T[] = []
    if (last < this.cursor) return out
    // After a long stall, walk the filed slots rather than every tick in between.
    if (last - this.cursor > this.slots.size) {
      const keys = [...this.slots.keys()].filter((k) => k <= last).sort((a, b) => a - b)
      for (const slot of keys) this.take(slot, out)
    } else for (let slot = this.cursor; slot <= last; slot++) this.take(slot, out)
    this.cursor = last + 1
    return out
  }

  get size(): number {
    return this.count
  }

  private take(slot: number, out: T[]): void {
    const list = this.slots.get(slot)
    if (list === undefined) return
    this.slots.delete(slot)
    let item: T | null = list.head
    while (item !== null) {
      const next = item.wheelNext as T | null
      item.wheelSlot = Number.NaN
      item.wheelPrev = item.wheelNext = null
      out.push(item)
      this.count--
      item = next
    }
  }

  private unlink(item: T): void {
    const list = this.slots.get(item.wheelSlot)
    const prev = item.wheelPrev as T | null
    const next = item.wheelNext as T | null
    if (prev !== null) prev.wheelNext = next
    if (next !== null) next.wheelPrev = prev
    if (list !== undefined) {
      if (list.head === item) {
        if (next === null) this.slots.delete(item.wheelSlot)
        else list.head = next
      }
      if (list.tail === item && prev !== null) list.tail = prev
    }
    item.wheelSlot = Number.NaN
    item.wheelPrev = item.wheelNext = null
    this.count--
  }
}
