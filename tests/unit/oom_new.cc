/*
 * oom_new.cc: a replacement of the global operator new and delete for the
 * out-of-memory test (test_searcher_oom.c), so that Xapian's allocations
 * and core/'s C++ ones can fail too.  After ns_test_new_fail_after(n),
 * the nth operator new from then on and every later one throws
 * std::bad_alloc (the nothrow forms return NULL), until it is called with
 * 0.  All forms but the aligned ones are replaced, so that every pointer
 * is freed by the allocator that made it (also under ASan, whose own
 * operator new this one overrides).
 */
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

extern "C" uint64_t ns_test_new_fail_after(uint64_t countdown);

namespace
{
std::atomic<uint64_t> countdown{ 0 }; /* 0: never fail */
std::atomic<uint64_t> count{ 0 };

bool
should_fail()
{
    count.fetch_add(1);
    uint64_t c = countdown.load();
    if (c == 0)
        return false;
    if (c == 1)
        return true; /* stays at 1: every later allocation fails too */
    countdown.fetch_sub(1);
    return false;
}

void *
allocate(std::size_t n)
{
    if (should_fail())
        return nullptr;
    return std::malloc(n ? n : 1);
}
} // namespace

extern "C" uint64_t
ns_test_new_fail_after(uint64_t n)
{
    countdown.store(n);
    return count.exchange(0);
}

void *
operator new(std::size_t n)
{
    void *p = allocate(n);
    if (!p)
        throw std::bad_alloc();
    return p;
}

void *
operator new[](std::size_t n)
{
    void *p = allocate(n);
    if (!p)
        throw std::bad_alloc();
    return p;
}

void *
operator new(std::size_t n, const std::nothrow_t &) noexcept
{
    return allocate(n);
}

void *
operator new[](std::size_t n, const std::nothrow_t &) noexcept
{
    return allocate(n);
}

void
operator delete(void *p) noexcept
{
    std::free(p);
}

void
operator delete[](void *p) noexcept
{
    std::free(p);
}

void
operator delete(void *p, std::size_t) noexcept
{
    std::free(p);
}

void
operator delete[](void *p, std::size_t) noexcept
{
    std::free(p);
}

void
operator delete(void *p, const std::nothrow_t &) noexcept
{
    std::free(p);
}

void
operator delete[](void *p, const std::nothrow_t &) noexcept
{
    std::free(p);
}
