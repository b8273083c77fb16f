// A hint to the memory system: the cache line at an address will be read soon. The loops over a whole
// roster or log are bound by memory latency, each item's objects a cache miss away; asked for a few items
// ahead, those misses overlap instead of following one another. A hint only: it never faults and changes
// no value, so a stale or dangling address costs nothing but the hint.
#ifndef OUTLET_CPREFETCH_H
#define OUTLET_CPREFETCH_H

static inline void outlet_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

// The same, for a line about to be written: an object whose reference count a loop will move (where the
// target has no write prefetch, as x86-64's baseline has none, the compiler emits the read one).
static inline void outlet_prefetch_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif
