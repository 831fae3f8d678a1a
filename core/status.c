/*
 * status.c: the text of each status and the library version.  The switch
 * has no default, so -Wswitch flags a status added without its text (curl).
 */
#include "nsearch.h"

const char *
ns_strerror(ns_status st) NS_NOEXCEPT
{
    switch (st) {
    case NS_OK:
        return "success";
    case NS_ERR_INVALID_ARG:
        return "invalid argument";
    case NS_ERR_NOMEM:
        return "out of memory";
    case NS_ERR_IO:
        return "input/output error";
    case NS_ERR_INDEX_OPEN:
        return "cannot open index";
    case NS_ERR_INDEX_LOCKED:
        return "index is locked by another writer";
    case NS_ERR_INDEX_CORRUPT:
        return "index is corrupt";
    case NS_ERR_INDEX_MODIFIED:
        return "index was modified during the search";
    case NS_ERR_INDEX_VERSION:
        return "index was made by an incompatible version of nsearch";
    case NS_ERR_QUERY_SYNTAX:
        return "query syntax error";
    case NS_ERR_QUERY_EMPTY:
        return "query has no searchable word";
    case NS_ERR_BACKEND:
        return "index backend error";
    case NS_ERR_ABORTED:
        return "stopped by a callback";
    case NS_ERR_FORMAT:
        return "unreadable input";
    case NS_ERR_NOT_FOUND:
        return "not found";
    case NS_ERR_DISK_FULL:
        return "no space left on device";
    case NS_ERR_SHARD_UNAVAILABLE:
        return "a shard of the index does not answer";
    case NS_STATUS_COUNT_:
        break;
    }
    return "unknown status";
}

const char *
ns_version_string(void) NS_NOEXCEPT
{
    return NS_VERSION_STRING;
}

unsigned
ns_version_number(void) NS_NOEXCEPT
{
    return NS_VERSION_NUMBER;
}
