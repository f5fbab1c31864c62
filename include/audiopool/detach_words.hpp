// audiopool/detach_words.hpp — the detach protocol, written once for the
// buffer pool (pool.hpp) and the object pool (object_pool.hpp): what a
// slot's ownership word and detach generation say, and how a Detached is
// claimed (released or adopted) exactly once.
//
// A slot's ownership word is 0 (free, or in the free list), 1..n (live
// handles), or detachedBit | generation (out of any handle: Unique::detach).
// Its generation word is the generation the slot's next Detached carries; a
// claim retires it. One generation value is never carried by a Detached:
// claimingGeneration, the ownership word's value while a claim is being
// made. Were that state detachedBit | next (the retired generation's
// successor), a made-up Detached carrying `next` could claim the slot
// during another thread's claim of the real one, and the slot would be
// released twice.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <atomic>
#include <cstdint>
#endif

namespace audiopool::detail {

/// The ownership word's "detached" flag; the low 31 bits are the generation.
inline constexpr std::uint32_t detachedBit = 0x8000'0000u;
/// A generation's bits.
inline constexpr std::uint32_t generationMask = 0x7FFF'FFFFu;
/// The generation no Detached carries: the word's state during a claim.
inline constexpr std::uint32_t claimingGeneration = generationMask;

/// The generation after `generation` (0 .. claimingGeneration - 1, wrapping).
constexpr std::uint32_t nextGeneration(std::uint32_t generation) noexcept {
    return generation + 1 >= claimingGeneration ? 0 : generation + 1;
}

/// Where a new block's generations start, given the base so far and a
/// generation the old block gave out: past it when it is ahead of the base
/// (half the generation space ahead at most), so a Detached kept from before
/// a re-size matches no slot of the new block.
constexpr std::uint32_t generationBaseAfter(std::uint32_t base, std::uint32_t used) noexcept {
    const std::uint32_t next = nextGeneration(used & generationMask);
    return ((next - base) & generationMask) <= generationMask / 2 ? next : base;
}

/// Marks a slot its caller owns alone as detached; returns the generation
/// the Detached carries.
template <class OwnershipWord, class GenerationWord>
std::uint32_t markDetachedWords(OwnershipWord& ownership, GenerationWord& generationWord) noexcept {
    // relaxed: the caller is the sole owner, and the last write (by the
    // thread that consumed the previous Detached) reached it through the
    // push/pop ordering of the free list.
    const std::uint32_t generation = generationWord.load(std::memory_order_relaxed);
    // (D) release: pairs with the acquire (C) in claimDetachedWords, so what
    // the detaching thread wrote (samples, the object) is visible to the
    // thread that releases or adopts the slot, and through its push to the
    // next owner.
    ownership.store(detachedBit | generation, std::memory_order_release);
    return generation;
}

/// How a claim of a Detached ended.
enum class Claim {
    claimed,        ///< the slot's word is now `to`; the Detached is used up
    doubleRelease,  ///< already used up (released or adopted), stale, or never a Detached's generation
    notDetached,    ///< made up: a live handle owns the slot and its generation still matches
};

/// Moves a detached slot's ownership word to `to` and retires the
/// generation, or says why it cannot.
///
/// Two claims of one Detached can race (two threads adopting it, say): the
/// loser must be told doubleRelease. So the winning step first moves the word
/// to detachedBit | claimingGeneration, which no Detached matches, then
/// retires the generation, then stores `to` (E): a claim that fails on the
/// claiming value sees a detachment being used up, and one that fails on `to`
/// or anything after it sees the generation word already moved on. Only a
/// word that names a live handle while the generation still matches is a
/// made-up Detached. (One word is not ordered so: the relaxed store of a
/// later acquire, after the winner released the slot. The C++ model would
/// let a loser that reads it see the old generation, and so report
/// notDetached; no multi-copy-atomic machine (x86-64, ARMv8) can, and the
/// claim is refused either way.)
template <class OwnershipWord, class GenerationWord>
Claim claimDetachedWords(OwnershipWord& ownership, GenerationWord& generationWord, std::uint32_t detachedGeneration,
                         std::uint32_t to) noexcept {
    const std::uint32_t generation = detachedGeneration & generationMask;
    if (generation == claimingGeneration) return Claim::doubleRelease;  // no Detached carries it
    std::uint32_t expected = detachedBit | generation;
    // (C) acquire: pairs with the release store (D) in markDetachedWords.
    // failure acquire: pairs with the release store (E) of a claim that won
    // (and the reference counts' read-modify-writes after it), so the
    // generation read below is that claim's next one or later.
    while (!ownership.compare_exchange_weak(expected, detachedBit | claimingGeneration, std::memory_order_acquire,
                                            std::memory_order_acquire)) {
        if (expected == (detachedBit | generation)) continue;  // a spurious failure
        // Not this detachment: being or already used up (released or
        // adopted; the slot may be free, in a handle or detached again
        // since), or a made-up Detached naming a slot a live handle owns.
        const bool madeUp = expected != 0 && (expected & detachedBit) == 0 &&
                            generationWord.load(std::memory_order_relaxed) == generation;
        return madeUp ? Claim::notDetached : Claim::doubleRelease;
    }
    // relaxed: we own the slot now; the next owner sees this through the
    // push/pop ordering of the free list, a losing claim through (E).
    generationWord.store(nextGeneration(generation), std::memory_order_relaxed);
    // (E) release: pairs with the failure acquire of a losing claim (C).
    ownership.store(to, std::memory_order_release);
    return Claim::claimed;
}

} // namespace audiopool::detail
