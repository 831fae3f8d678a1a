/*
 * xapian_impl.h: the C++ side of the binding: what the opaque handles of
 * ns_xapian.h hold, and the one exception mapper.  Included only by the
 * core/xapian_*.cc files.
 */
#ifndef NS_XAPIAN_IMPL_H
#define NS_XAPIAN_IMPL_H

#include <xapian.h>

#include <memory>
#include <string>
#include <vector>

#include "core/ns_xapian.h"

struct ns__xdb {
    Xapian::Database *rdb;          /* the database searched */
    Xapian::WritableDatabase *wdb;  /* same object when writable, else NULL */
    std::string path;
    std::string errmsg;
    void (*on_reopen)(void *payload); /* see ns__xdb_on_reopen */
    void *on_reopen_payload;
    /* A sharded index's: the databases rdb combines, in its order (see
     * ns__xdb_combine); empty otherwise. */
    std::vector<Xapian::Database> subs;
};

struct ns__xdoc {
    Xapian::Document doc;
};

struct ns__xq {
    Xapian::Query q;
};

/*
 * Map the exception being handled to a status and store its description in
 * *errmsg.  Call only inside a catch block (it rethrows to inspect).
 */
ns_status ns__status_from_exception(std::string *errmsg) noexcept;

/* Throw the exception for an ns__xverify_cb's error r (a negated status)
 * and its message why (may be NULL): one that ns__status_from_exception
 * maps back to the status. */
[[noreturn]] void ns__xverify_throw(int r, const char *why);

#endif /* NS_XAPIAN_IMPL_H */
