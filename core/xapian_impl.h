/*
 * xapian_impl.h: the C++ side of the binding: what the opaque handles of
 * ns_xapian.h hold, and the one exception mapper.  Included only by the
 * core/xapian_*.cc files.
 */
#ifndef NS_XAPIAN_IMPL_H
#define NS_XAPIAN_IMPL_H

#include <xapian.h>

#include <exception>
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

/* The values of a database's documents (their position maps: schema.h),
 * read in ascending order of docid, as a match meets them: through a
 * value stream per slot, whose cursor keeps the blocks it read (a lookup
 * of each document's value would read them again).  Only on a single
 * database: a document of several (shards) that a MatchDecider is given
 * says its docid in its own database (Xapian's Document::get_docid), so
 * its values are read from it. */
class ns__xmaps {
  public:
    void
    reset(const Xapian::Database &db)
    {
        db_ = db;
        single_ = db.size() == 1;
        for (auto &s : slots_)
            s.open = false;
    }
    /* The document the values are of, from now (it must outlive the
     * calls of get() about it). */
    void
    at(const Xapian::Document &doc)
    {
        doc_ = &doc;
        did_ = doc.get_docid();
    }
    /* The value in slot (< NS__XMAPS_SLOTS past the first) of the
     * document, or NULL. */
    const char *get(unsigned slot, size_t *len);
    /* What get() threw, through C (ns__xverify_doc throws it again). */
    std::exception_ptr error;

  private:
    struct stream {
        Xapian::ValueIterator it;
        Xapian::docid last = 0;
        bool open = false;
        bool found = false; /* last has a value: value */
        std::string value;
    };
    Xapian::Database db_;
    bool single_ = false;
    const Xapian::Document *doc_ = nullptr;
    Xapian::docid did_ = 0;
    stream slots_[16];
};

/* Whether cb accepts doc: asked about its values first (from maps), then,
 * when it says NS__XVERIFY_NEED_DATA, with its stored record too.  Throws
 * on cb's error. */
bool ns__xverify_doc(ns__xverify_cb cb,
                     void *payload,
                     ns__xmaps &maps,
                     const Xapian::Document &doc);

#endif /* NS_XAPIAN_IMPL_H */
