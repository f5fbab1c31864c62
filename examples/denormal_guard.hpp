// denormal_guard.hpp — flush-to-zero and denormals-are-zero for the scope of
// one audio callback. Copy it into your project; it needs nothing else.
// x86 only (SSE's MXCSR): on other targets the class is empty and does
// nothing. On AArch64 set the FZ bit (24) of FPCR instead.
#pragma once
#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#endif

// [denormal-guard]
// Set flush-to-zero / denormals-are-zero at the top of EVERY callback: the
// flags are per thread, hosts may call from different threads, and a recycled
// buffer may hold a decaying tail from its last user.
class DenormalGuard {
public:
#if defined(__SSE__) || defined(__x86_64__)
    DenormalGuard() noexcept : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040); }  // FTZ | DAZ
    ~DenormalGuard() { _mm_setcsr(saved_); }
    DenormalGuard(const DenormalGuard&) = delete;  // one restore per guard
    DenormalGuard& operator=(const DenormalGuard&) = delete;

private:
    unsigned saved_;
#endif
};
// [/denormal-guard]
