/*
 * xapian_error.cc: the one place where exceptions become statuses
 * (notmuch's _notmuch_xapian_error).  Most-derived types first.
 */
#include "core/xapian_impl.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>

#include <unistd.h>

static ns_status
from_xapian_error(const Xapian::Error &e, std::string *errmsg)
{
    if (errmsg)
        *errmsg = e.get_description();
    /* Xapian reports a full disk as a DatabaseError carrying errno. */
    const char *es = e.get_error_string();
    if (es && std::strstr(es, std::strerror(ENOSPC)))
        return NS_ERR_DISK_FULL;
    if (e.get_description().find("No space left") != std::string::npos)
        return NS_ERR_DISK_FULL;
    return NS_ERR_BACKEND;
}

ns_status
ns__status_from_exception(std::string *errmsg) noexcept
{
    try {
        try {
            throw;
        } catch (const Xapian::DatabaseLockError &e) {
            if (errmsg)
                *errmsg = e.get_description();
            return NS_ERR_INDEX_LOCKED;
        } catch (const Xapian::DatabaseCorruptError &e) {
            if (errmsg)
                *errmsg = e.get_description();
            return NS_ERR_INDEX_CORRUPT;
        } catch (const Xapian::DatabaseModifiedError &e) {
            if (errmsg)
                *errmsg = e.get_description();
            return NS_ERR_INDEX_MODIFIED;
        } catch (const Xapian::DatabaseVersionError &e) {
            if (errmsg)
                *errmsg = e.get_description();
            return NS_ERR_INDEX_VERSION;
        } catch (const Xapian::DatabaseNotFoundError &e) {
            if (errmsg)
                *errmsg = e.get_description();
            return NS_ERR_INDEX_OPEN;
        } catch (const Xapian::DatabaseOpeningError &e) {
            if (errmsg)
                *errmsg = e.get_description();
            return NS_ERR_INDEX_OPEN;
        } catch (const Xapian::QueryParserError &e) {
            if (errmsg)
                *errmsg = e.get_description();
            return NS_ERR_QUERY_SYNTAX;
        } catch (const Xapian::NetworkError &e) {
            /* A remote shard that is down, unreachable or silent (and
             * NetworkTimeoutError, derived from it). */
            if (errmsg)
                *errmsg = e.get_description();
            return NS_ERR_SHARD_UNAVAILABLE;
        } catch (const Xapian::Error &e) {
            return from_xapian_error(e, errmsg);
        } catch (const std::bad_alloc &) {
            if (errmsg)
                *errmsg = "out of memory";
            return NS_ERR_NOMEM;
        } catch (const std::exception &e) {
            if (errmsg)
                *errmsg = e.what();
            return NS_ERR_BACKEND;
        } catch (...) {
            if (errmsg)
                *errmsg = "unknown exception";
            return NS_ERR_BACKEND;
        }
    } catch (...) {
        /* Assigning the message itself failed. */
        return NS_ERR_NOMEM;
    }
}

/* ns_set_fatal_exit's terminate handler. */
static int fatal_exit_code;

static void
fatal_exit()
{
    std::string msg = "an unknown error";
    if (std::exception_ptr e = std::current_exception()) {
        try {
            std::rethrow_exception(e);
        } catch (const Xapian::Error &x) {
            msg = x.get_description();
        } catch (const std::exception &x) {
            msg = x.what();
        } catch (...) {
        }
    }
    std::fprintf(stderr,
                 "nsearch: fatal: %s (the index keeps its last commit)\n",
                 msg.c_str());
    std::fflush(stderr);
    _exit(fatal_exit_code);
}

extern "C" void
ns_set_fatal_exit(int exit_code) noexcept
{
    fatal_exit_code = exit_code;
    std::set_terminate(fatal_exit);
}
